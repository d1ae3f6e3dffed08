/**
 * A set of manifests (a repository and a sha256 digest), held compactly: 32 bytes per digest in one buffer,
 * and a hash table of 32-bit slots over it, about 48 bytes per manifest all told, against about 210 for a
 * set of strings. A grace period holds an earlier plan's deletions in one, for a million images. Pure.
 */

const SHA256 = /^sha256:([0-9a-f]{64})$/;
const RECORD = 32;

export class DigestSet {
  private records = Buffer.alloc(RECORD * 1024);
  private repositoryIds = new Uint32Array(1024);
  private count = 0;
  private readonly repositories = new Map<string, number>();
  /** Digests that are not sha256 (ECR uses none today), kept as they are. */
  private readonly others = new Set<string>();
  private table: Int32Array | undefined;

  get size(): number {
    return this.count + this.others.size;
  }

  add(repository: string, digest: string): void {
    if (this.table) throw new Error('a DigestSet cannot grow after it has been read');
    const hex = SHA256.exec(digest)?.[1];
    if (hex === undefined) {
      this.others.add(`${repository} ${digest}`);
      return;
    }
    if ((this.count + 1) * RECORD > this.records.length) {
      const grown = Buffer.alloc(this.records.length * 2);
      this.records.copy(grown);
      this.records = grown;
      const ids = new Uint32Array(this.repositoryIds.length * 2);
      ids.set(this.repositoryIds);
      this.repositoryIds = ids;
    }
    let id = this.repositories.get(repository);
    if (id === undefined) {
      id = this.repositories.size;
      this.repositories.set(repository, id);
    }
    this.records.write(hex, this.count * RECORD, 'hex');
    this.repositoryIds[this.count] = id;
    this.count += 1;
  }

  has(repository: string, digest: string): boolean {
    const hex = SHA256.exec(digest)?.[1];
    if (hex === undefined) return this.others.has(`${repository} ${digest}`);
    const id = this.repositories.get(repository);
    if (id === undefined) return false;
    const table = this.table ?? this.index();
    const wanted = Buffer.from(hex, 'hex');
    const mask = table.length - 1;
    for (let slot = wanted.readUInt32BE(0) & mask; ; slot = (slot + 1) & mask) {
      const record = table[slot];
      if (record < 0) return false;
      if (this.repositoryIds[record] === id && this.records.compare(wanted, 0, RECORD, record * RECORD, (record + 1) * RECORD) === 0) return true;
    }
  }

  /** The hash table over the records, built on the first read: open addressing, at most half full. */
  private index(): Int32Array {
    let capacity = 2;
    while (capacity < this.count * 2) capacity *= 2;
    const table = new Int32Array(capacity).fill(-1);
    const mask = capacity - 1;
    for (let record = 0; record < this.count; record += 1) {
      let slot = this.records.readUInt32BE(record * RECORD) & mask;
      while (table[slot] >= 0) slot = (slot + 1) & mask;
      table[slot] = record;
    }
    this.table = table;
    return table;
  }
}
