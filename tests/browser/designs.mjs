// Designs made by code, shared by the browser tests and the benchmark (bench/peer.mjs).

/**
 * The grid design of issue 11: 25 columns, `rows` rows, 200 × 110 units apart; every fifth
 * column a database linked to the four Key Manager nodes left of it. The dragged node: row 10
 * (of 20; the middle row in general), column 12.
 */
export function gridDesign(rows) {
  const nodes = [];
  const links = [];
  const id = (r, c) => (c % 5 === 4 ? `db-${r}-${c}` : `km-${r}-${c}`);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < 25; c++) {
      const db = c % 5 === 4;
      nodes.push(db
        ? { id: id(r, c), kind: 'database', label: `DB ${r}.${c}`, x: c * 200, y: r * 110, zone: 'data', props: { host: `db-${r}-${c}.bank.internal`, instances: 2, ha_mode: 'cluster' } }
        : { id: id(r, c), kind: 'key-manager', label: `KM ${r}.${c}`, x: c * 200, y: r * 110, zone: 'app', props: { hostname: `km-${r}-${c}.bank.internal`, memory_gb: 8, disk_gb: 40 } });
      if (db) for (let k = c - 4; k < c; k++) links.push({ from: id(r, k), to: id(r, c) });
    }
  }
  return {
    design: { format: 'obkm-topology', version: 1, name: `Grid ${nodes.length}`, product: 'ob-km-1.5',
      cluster: { domain: 'wso2.ob.km.domain', membership_scheme: 'wka' }, nodes, links, waivers: [] },
    dragged: id(Math.floor(rows / 2), 12),
  };
}
