import { describe, expect, it } from 'vitest';
import { ServerMetrics } from '../src/metrics.js';

describe('ServerMetrics', () => {
  it('counts by route and status, one live counter per pair, rendered in label order', () => {
    const m = new ServerMetrics();
    const tile200 = m.counter('tile', 200);
    tile200.n++;
    m.count('tile', 200);
    m.count('tile', 304);
    m.count('add', 401);
    expect(m.counter('tile', 200)).toBe(tile200);
    m.submitted = 7;
    const text = m.render({ medanchor_log_size: { help: 'Leaves.', value: 3 } });
    const counted = text.split('\n').filter((l) => l.startsWith('medanchor_http_requests_total'));
    expect(counted).toEqual([
      'medanchor_http_requests_total{route="add",status="401"} 1',
      'medanchor_http_requests_total{route="tile",status="200"} 2',
      'medanchor_http_requests_total{route="tile",status="304"} 1',
    ]);
    expect(text).toContain('medanchor_submitted_records_total 7\n');
    expect(text).toContain('# TYPE medanchor_log_size gauge\nmedanchor_log_size 3\n');
  });
});
