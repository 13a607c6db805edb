import { connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { MedanchorError } from '@medanchor/core';
import type {
  ElectrumConnection,
  ElectrumTransport,
  ElectrumTransportHandlers,
} from '../backend/electrum-client.js';

/** TLS settings of {@link electrumSocketTransport}. */
export interface ElectrumTlsOptions {
  /**
   * SHA-256 fingerprint of the server's certificate (hex, with or without colons, as
   * `openssl x509 -fingerprint -sha256` prints it). When set, the connection is accepted
   * only if the certificate matches, and the usual CA chain check is replaced by this pin:
   * the way to talk to a self-signed Electrum server safely.
   */
  fingerprint256?: string;
  /** Extra trusted CA certificates (PEM), for a private CA. */
  ca?: string | string[];
  /** Server name for SNI and hostname checks (default: `host`). */
  servername?: string;
  /**
   * DANGEROUS explicit opt-out: `false` accepts ANY certificate when no fingerprint is
   * pinned, so anyone on the path can impersonate the server. Default `true`.
   */
  rejectUnauthorized?: boolean;
}

/** Options of {@link electrumSocketTransport}. */
export interface ElectrumSocketOptions {
  host: string;
  port: number;
  /**
   * `true` (or settings) for TLS with certificate verification, the default of
   * Electrum's `s` ports (50002); omit or `false` for plain TCP (`t` ports, 50001).
   */
  tls?: boolean | ElectrumTlsOptions;
  /** Connect (and TLS handshake) timeout in ms (default 10 000). */
  connectTimeoutMs?: number;
}

function normalizeFingerprint(f: string): string {
  return f.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
}

/**
 * A TCP or TLS transport for `electrumClient` (Node only). TLS certificates are
 * verified against the system CAs unless a fingerprint is pinned, extra CAs are given,
 * or `rejectUnauthorized: false` is passed explicitly.
 *
 * @example
 * ```ts
 * const transport = electrumSocketTransport({
 *   host: '127.0.0.1',
 *   port: 50002,
 *   tls: { fingerprint256: 'AB:CD:...' },
 * });
 * const backend = electrumBackend({ transport });
 * ```
 */
export function electrumSocketTransport(options: ElectrumSocketOptions): ElectrumTransport {
  const tls = options.tls === true ? {} : options.tls === false ? undefined : options.tls;
  const pin =
    tls?.fingerprint256 === undefined ? undefined : normalizeFingerprint(tls.fingerprint256);
  if (pin !== undefined && pin.length !== 64) {
    throw new MedanchorError(
      'INVALID_FINGERPRINT',
      'fingerprint256 must be the 32-byte SHA-256 certificate fingerprint in hex',
    );
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const name = `${tls ? 'tls' : 'tcp'}://${options.host}:${options.port}`;

  return {
    name,
    connect(handlers: ElectrumTransportHandlers): Promise<ElectrumConnection> {
      return new Promise((resolve, reject) => {
        let socket: Socket | TLSSocket;
        let ready = false;
        const fail = (error: MedanchorError) => {
          socket.destroy();
          if (!ready) reject(error);
        };
        const onReady = () => {
          if (tls !== undefined && pin !== undefined) {
            const cert = (socket as TLSSocket).getPeerCertificate();
            const seen = cert?.fingerprint256 ? normalizeFingerprint(cert.fingerprint256) : '';
            if (seen !== pin) {
              fail(
                new MedanchorError(
                  'TLS_PIN_MISMATCH',
                  `the certificate of ${name} does not match the pinned fingerprint; do not connect unless the server's certificate was legitimately replaced`,
                  { details: { server: name } },
                ),
              );
              return;
            }
          }
          ready = true;
          socket.setTimeout(0);
          socket.setEncoding('utf8');
          socket.on('data', (chunk: string) => handlers.onData(chunk));
          resolve({
            write: (data: string) => {
              socket.write(data);
            },
            close: () => {
              socket.end();
              socket.destroy();
            },
          });
        };
        if (tls !== undefined) {
          socket = tlsConnect({
            host: options.host,
            port: options.port,
            servername:
              tls.servername ?? (/^[\d.:]+$/.test(options.host) ? undefined : options.host),
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            // With a pin, the pin is the check; otherwise CA verification unless opted out.
            rejectUnauthorized: pin === undefined ? tls.rejectUnauthorized !== false : false,
          });
          socket.once('secureConnect', onReady);
        } else {
          socket = netConnect({ host: options.host, port: options.port });
          socket.once('connect', onReady);
        }
        socket.setTimeout(connectTimeoutMs, () => {
          if (!ready) {
            fail(
              new MedanchorError('ELECTRUM_UNREACHABLE', `connecting to ${name} timed out`, {
                details: { retryable: true },
              }),
            );
          }
        });
        socket.on('error', (error: NodeJS.ErrnoException) => {
          if (ready) return; // reported through 'close'
          const code = error.code ?? '';
          const untrusted = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
          reject(
            untrusted
              ? new MedanchorError(
                  'TLS_UNTRUSTED',
                  `the certificate of ${name} is not trusted (${code}); pin its fingerprint (tls.fingerprint256) or pass its CA (tls.ca)`,
                  { cause: error, details: { server: name, reason: code } },
                )
              : new MedanchorError(
                  'ELECTRUM_UNREACHABLE',
                  `could not connect to ${name} (${code || error.message}); check host, port and TLS settings`,
                  { cause: error, details: { server: name, retryable: true } },
                ),
          );
        });
        socket.once('close', () => {
          if (ready) handlers.onClose();
        });
      });
    },
  };
}
