import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { MedanchorError } from '@medanchor/core';

/**
 * The SHA-256 fingerprint of a PEM certificate, in the form a writer's `certSha256`
 * takes (64 lowercase hex characters), so an operator can configure a client
 * certificate without handling its private key.
 * @throws MedanchorError `INVALID_ARGUMENT` when the text is not a PEM certificate.
 */
export function certificateFingerprint(pem: string): string {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw new MedanchorError('INVALID_ARGUMENT', 'that is not a PEM X.509 certificate');
  }
  return cert.fingerprint256.replaceAll(':', '').toLowerCase();
}

/**
 * The fingerprint of the client certificate a TLS connection presented, or undefined when
 * there is none, the socket is not TLS, or `requireChain` is set and the certificate does
 * not chain to the configured CA. The handshake already proved the client holds the
 * certificate's private key, whatever the chain.
 */
export function peerFingerprint(socket: Socket, requireChain: boolean): string | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  if (requireChain && !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  // An empty object means no certificate was sent.
  if (cert === null || typeof cert.fingerprint256 !== 'string') return undefined;
  return cert.fingerprint256.replaceAll(':', '').toLowerCase();
}
