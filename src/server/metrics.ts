/** Counters and gauges for `/metrics`, in the Prometheus text exposition format. */

export class Metrics {
  connections = 0;
  rooms = 0;
  /** Per counter: its label's name and the count per label value ('' without a label). */
  readonly #counters = new Map<string, { help: string; label: string; values: Map<string, number> }>();

  constructor() {
    this.#define('vc_messages_total', 'Valid frames received, by type.');
    this.#define('vc_relayed_total', 'Descriptions and candidates relayed to the other participant.');
    this.#define('vc_refusals_total', 'Error frames sent and upgrades refused, by code.');
    this.#define('vc_joins_total', 'Successful joins, by role.');
    this.#define('vc_connections_total', 'WebSocket connections accepted.');
  }

  #define(name: string, help: string): void {
    this.#counters.set(name, { help, label: '', values: new Map() });
  }

  inc(name: string, label?: [string, string], by = 1): void {
    const c = this.#counters.get(name);
    if (!c) throw new Error(`unknown metric ${name}`);
    const key = label ? label[1] : '';
    if (label) c.label = label[0];
    c.values.set(key, (c.values.get(key) ?? 0) + by);
  }

  render(extra: Record<string, number> = {}): string {
    const lines: string[] = [
      '# HELP vc_connections Open WebSocket connections.',
      '# TYPE vc_connections gauge',
      `vc_connections ${this.connections}`,
      '# HELP vc_rooms Rooms with at least one participant connected to this process.',
      '# TYPE vc_rooms gauge',
      `vc_rooms ${this.rooms}`,
    ];
    for (const [name, value] of Object.entries(extra)) lines.push(`# TYPE ${name} gauge`, `${name} ${value}`);
    for (const [name, c] of this.#counters) {
      lines.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      if (c.values.size === 0) lines.push(`${name} 0`);
      for (const [key, v] of c.values) {
        lines.push(key ? `${name}{${c.label}="${key.replace(/["\\\n]/g, '_')}"} ${v}` : `${name} ${v}`);
      }
    }
    return lines.join('\n') + '\n';
  }
}
