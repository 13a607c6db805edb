/** Counters the server exposes at `/metrics` (Prometheus text format 0.0.4). */
export class ServerMetrics {
  private readonly requests = new Map<string, number>();
  /** Records acknowledged through `/add` (duplicates included). */
  submitted = 0;

  /** Counts one answered request of `route` with `status`. */
  count(route: string, status: number): void {
    const key = `route="${route}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  /** The exposition text, with the given gauges appended. */
  render(gauges: Record<string, { help: string; value: number }>): string {
    const lines = [
      '# HELP medanchor_http_requests_total HTTP requests answered, by route and status.',
      '# TYPE medanchor_http_requests_total counter',
    ];
    for (const [labels, n] of [...this.requests].sort())
      lines.push(`medanchor_http_requests_total{${labels}} ${n}`);
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
