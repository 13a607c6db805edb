/** Counters the server exposes at `/metrics` (Prometheus text format 0.0.4). */
export class ServerMetrics {
  private readonly requests = new Map<string, { n: number }>();
  private readonly byRoute = new Map<string, Map<number, { n: number }>>();
  /** Records acknowledged through `/add` (duplicates included). */
  submitted = 0;

  /** Counts one answered request of `route` with `status`. */
  count(route: string, status: number): void {
    this.counter(route, status).n++;
  }

  /**
   * The live counter of `route` and `status`, for a hot path to bump (`.n++`) without
   * building its label string on every request.
   */
  counter(route: string, status: number): { n: number } {
    // Looked up by route, then status: the label string is built once per pair, not per request.
    let byStatus = this.byRoute.get(route);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.byRoute.set(route, byStatus);
    }
    let c = byStatus.get(status);
    if (c === undefined) {
      c = { n: 0 };
      byStatus.set(status, c);
      this.requests.set(`route="${route}",status="${status}"`, c);
    }
    return c;
  }

  /** The exposition text, with the given gauges appended. */
  render(gauges: Record<string, { help: string; value: number }>): string {
    const lines = [
      '# HELP medanchor_http_requests_total HTTP requests answered, by route and status.',
      '# TYPE medanchor_http_requests_total counter',
    ];
    for (const [labels, c] of [...this.requests].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
      lines.push(`medanchor_http_requests_total{${labels}} ${c.n}`);
    lines.push(
      '# HELP medanchor_submitted_records_total Records acknowledged through /add.',
      '# TYPE medanchor_submitted_records_total counter',
      `medanchor_submitted_records_total ${this.submitted}`,
    );
    for (const [name, g] of Object.entries(gauges))
      lines.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.value}`);
    return `${lines.join('\n')}\n`;
  }
}
