/* istanbul ignore file -- `runPage` runs in the page as its own source text (see ../html.ts), which instrumentation would break. */
/**
 * The HTML report's script, run in the browser: it reads the data that the page embeds and draws the
 * chart of bytes by repository, a timeline per repository, and the table of every artifact, which
 * filters, sorts, renders only the rows in view (so that 100,000 artifacts stay quick), and opens a row
 * to show the artifact's manifests and the workloads that use it.
 *
 * Self-contained on purpose: the page runs `runPage`'s own source text (`Function.prototype.toString`,
 * see ../html.ts), so it may use nothing from outside its body but the browser's globals and the decoder
 * it is given. Every string of the plan is written with `textContent` or as a text node, never as markup.
 *
 * No charting library: the chart is a table with CSS bars (its numbers are text, which a screen reader
 * reads and a printer prints), and a timeline is one SVG path per kind of mark, so that a repository of
 * 10,000 artifacts costs 14 elements. A library would add tens of kilobytes to every report, and most
 * draw into a canvas, which neither prints well nor reads aloud.
 */
import type { RepositoryReport, RunReport } from '../../core/report';
import type { ArtifactRow, DecodedArtifact, PageDictionary } from './data';
import type { PageElement, PageGlobals } from './dom';

/** What the page reads of the run (see `pageRun` in ../html.ts). */
type PageRun = Omit<RunReport, 'inUse' | 'apiCalls'> & {
  readonly base: number;
  readonly ruleLines: readonly string[];
  readonly inUse: { readonly sources: readonly string[]; readonly complete: boolean; readonly problems: readonly string[]; readonly references: number };
};

type Decode = (row: ArtifactRow, dictionary: PageDictionary, base: number) => DecodedArtifact;

export function runPage(decode: Decode): void {
  const browser = globalThis as unknown as PageGlobals;
  const { document, performance } = browser;
  performance.mark('ecr:start');
  const readJson = <T>(id: string): T => JSON.parse(document.getElementById(id)?.textContent ?? 'null') as T;
  const run = readJson<PageRun>('ecr-run');
  const rows = readJson<ArtifactRow[]>('ecr-rows');
  const dict = readJson<PageDictionary>('ecr-dictionary');
  performance.mark('ecr:parsed');

  const ROW_HEIGHT = 30;
  const OVERSCAN = 8;
  const CHART_LIMIT = 40;
  const TIMELINE_LIMIT = 30;
  const PRINT_LIMIT = 2000;
  const SVG = 'http://www.w3.org/2000/svg';
  const deleting = run.mode === 'delete' && !run.awaitingConfirmation && !run.notConfirmed;

  /** The main reasons, in the order the summaries count them, each with its words and its shape. */
  const REASONS: readonly { readonly key: string; readonly label: string }[] = [
    { key: 'in-use', label: 'in use' },
    { key: 'protected-tag', label: 'protected tag' },
    { key: 'recent', label: 'recent' },
    { key: 'recently-pulled', label: 'recently pulled' },
    { key: 'min-count', label: 'newest N' },
    { key: 'in-use-unknown', label: 'unknown (in-use discovery incomplete)' },
    { key: 'unused', label: 'unused' },
  ];
  const reasonLabel = (key: string): string => REASONS.find((reason) => reason.key === key)?.label ?? key;
  const reasonOrder = (key: string): number => REASONS.findIndex((reason) => reason.key === key);

  // ---- Helpers: elements with text, numbers and times in words. ----
  type Child = PageElement | string | null | undefined | false;
  const el = (tag: string, attributes: Record<string, string> = {}, ...children: Child[]): PageElement => {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
    return element;
  };
  const svg = (tag: string, attributes: Record<string, string> = {}): PageElement => {
    const element = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    return element;
  };
  const formatBytes = (bytes: number): string => {
    const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit += 1;
    }
    return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
  };
  const count = (value: number): string => value.toLocaleString('en-US');
  const plural = (value: number, word: string, many = `${word}s`): string => `${count(value)} ${value === 1 ? word : many}`;
  const timeOf = (secondsBeforeNow: number): number => (run.base - secondsBeforeNow) * 1000;
  const dateOf = (secondsBeforeNow: number): string => new Date(timeOf(secondsBeforeNow)).toISOString().slice(0, 10);
  const instantOf = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  const daysAgo = (iso: string): number => Math.floor((run.base * 1000 - Date.parse(iso)) / 86_400_000);
  const digestOf = (row: ArtifactRow): string => (row[2].includes(':') ? row[2] : `sha256:${row[2]}`);
  const short = (digest: string): string => digest.slice(0, 'sha256:'.length + 12);
  const primaryOf = (row: ArtifactRow): string => dict.primaries[row[7]];
  const isDelete = (row: ArtifactRow): boolean => row[5] % 2 === 1;
  const tagsText = (row: ArtifactRow): string => row[1].join(' ');

  /** The path of one mark of a reason's shape, centred at (x, y), `r` from its centre to its edge. */
  const shapePath = (key: string, x: number, y: number, r: number): string => {
    const p = (value: number): string => value.toFixed(1);
    switch (key) {
      case 'in-use':
        return `M${p(x - r)} ${p(y)}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0Z`;
      case 'recent':
        return `M${p(x - r)} ${p(y - r)}h${2 * r}v${2 * r}h${-2 * r}Z`;
      case 'min-count':
        return `M${p(x)} ${p(y - r)}L${p(x + r)} ${p(y + r)}L${p(x - r)} ${p(y + r)}Z`;
      case 'protected-tag':
        return `M${p(x)} ${p(y - r - 1)}L${p(x + r + 1)} ${p(y)}L${p(x)} ${p(y + r + 1)}L${p(x - r - 1)} ${p(y)}Z`;
      case 'recently-pulled':
        return `M${p(x)} ${p(y + r)}L${p(x + r)} ${p(y - r)}L${p(x - r)} ${p(y - r)}Z`;
      case 'in-use-unknown': {
        const inner = r * 0.45;
        return `M${p(x - r)} ${p(y)}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0ZM${p(x - inner)} ${p(y)}a${inner} ${inner} 0 1 1 ${2 * inner} 0a${inner} ${inner} 0 1 1 ${-2 * inner} 0Z`;
      }
      default: {
        // unused: a cross, as one outline (two overlapping bars would leave a hole where they cross).
        const d = r * 0.5;
        return `M${p(x - r)} ${p(y - r + d)}L${p(x - r + d)} ${p(y - r)}L${p(x)} ${p(y - d)}L${p(x + r - d)} ${p(y - r)}L${p(x + r)} ${p(y - r + d)}L${p(x + d)} ${p(y)}L${p(x + r)} ${p(y + r - d)}L${p(x + r - d)} ${p(y + r)}L${p(x)} ${p(y + d)}L${p(x - r + d)} ${p(y + r)}L${p(x - r)} ${p(y + r - d)}L${p(x - d)} ${p(y)}Z`;
      }
    }
  };
  /** A small picture of a reason's mark, for the legend and the table; hidden from screen readers, whose words are beside it. */
  const glyph = (key: string): PageElement => {
    const picture = svg('svg', { viewBox: '0 0 12 12', width: '12', height: '12', 'aria-hidden': 'true', focusable: 'false' });
    picture.append(svg('path', { d: shapePath(key, 6, 6, 4.5), class: `shape-${key}`, 'fill-rule': 'evenodd' }));
    return picture;
  };

  // ---- Derived data, computed once. ----
  const repositoryReports = new Map<string, RepositoryReport>(run.repositories.map((repository) => [repository.name, repository]));
  const byRepository: number[][] = dict.repositories.map(() => []);
  for (let index = 0; index < rows.length; index += 1) byRepository[rows[index][0]].push(index);
  const keptBytes = byRepository.map((indexes) => indexes.reduce((total, index) => total + (isDelete(rows[index]) ? 0 : rows[index][4]), 0));
  const bytesOut = (name: string): number => {
    const report = repositoryReports.get(name);
    return report ? (deleting ? report.reclaimedBytes : report.reclaimableBytes) : 0;
  };
  const listed = dict.repositories.map((name, index) => ({ name, index, out: bytesOut(name), kept: keptBytes[index] }));
  listed.sort((a, b) => b.out - a.out || b.kept - a.kept || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const main = document.querySelector('main') as PageElement;
  const section = (id: string): PageElement => document.getElementById(id) as PageElement;

  // ---- The chart: bytes to delete (or deleted) and kept, by repository, largest first. ----
  const drawChart = (): void => {
    const chart = section('chart');
    const outWords = deleting ? 'deleted' : 'to delete';
    chart.append(
      el(
        'ul',
        { class: 'legend', 'aria-label': 'Legend of the chart' },
        el('li', {}, el('span', { class: 'swatch bar-delete', 'aria-hidden': 'true' }), `bytes ${outWords} (striped)`),
        el('li', {}, el('span', { class: 'swatch bar-kept', 'aria-hidden': 'true' }), 'bytes kept (solid)'),
      ),
    );
    const shown = listed.slice(0, CHART_LIMIT);
    const scale = Math.max(1, ...shown.map((entry) => entry.out + entry.kept));
    const body = el('tbody');
    for (const entry of shown) {
      const bars = el('div', { class: 'bars', 'aria-hidden': 'true' });
      bars.append(el('div', { class: 'bar bar-delete', style: `width:${((entry.out / scale) * 100).toFixed(2)}%` }));
      bars.append(el('div', { class: 'bar bar-kept', style: `width:${((entry.kept / scale) * 100).toFixed(2)}%` }));
      body.append(
        el(
          'tr',
          { 'data-repository': entry.name },
          el('th', { scope: 'row' }, entry.name),
          el('td', { class: 'num' }, formatBytes(entry.out)),
          el('td', { class: 'num' }, formatBytes(entry.kept)),
          el('td', { class: 'bar-cell' }, bars),
        ),
      );
    }
    const table = el(
      'table',
      { class: 'chart', id: 'chart-table' },
      el('caption', { class: 'print-only' }, `Bytes ${outWords} and kept, by repository, largest first`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Repository'), el('th', { scope: 'col' }, deleting ? 'Deleted' : 'To delete'), el('th', { scope: 'col' }, 'Kept'), el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Bars')))),
      body,
    );
    chart.append(table);
    if (listed.length > shown.length) {
      const rest = listed.slice(CHART_LIMIT);
      chart.append(
        el('p', {}, `And ${plural(rest.length, 'more repository', 'more repositories')}, with ${formatBytes(rest.reduce((total, entry) => total + entry.out, 0))} ${outWords} and ${formatBytes(rest.reduce((total, entry) => total + entry.kept, 0))} kept.`),
      );
    }
    const unlisted = run.repositories.filter((repository) => repository.status !== 'ok');
    if (unlisted.length > 0) {
      chart.append(el('p', {}, `Not in the chart: ${unlisted.map((repository) => `${repository.name} (${repository.status === 'excluded' ? 'excluded by a rule' : `error: ${repository.error ?? ''}`})`).join('; ')}.`));
    }
  };

  // ---- A timeline per repository: its artifacts by push date, kept above, deleted below. ----
  // The time axis, shared by every timeline: from the oldest push to the run (or the newest push, if later).
  let earliest = 0;
  let latest = 0;
  for (const row of rows) {
    earliest = Math.max(earliest, row[3]);
    latest = Math.min(latest, row[3]);
  }
  const drawn = new WeakSet<PageElement>();
  const drawTimeline = (holder: PageElement, repository: number): void => {
    if (drawn.has(holder)) return;
    drawn.add(holder);
    const width = Math.max(320, holder.clientWidth || 900);
    const left = 56;
    const right = width - 12;
    const x = (seconds: number): number => (earliest === latest ? (left + right) / 2 : left + ((earliest - seconds) / (earliest - latest)) * (right - left));
    const paths = new Map<string, string[]>();
    for (const index of byRepository[repository]) {
      const row = rows[index];
      const key = `${isDelete(row) ? 1 : 0}:${primaryOf(row)}`;
      const list = paths.get(key) ?? [];
      list.push(shapePath(primaryOf(row), x(row[3]), isDelete(row) ? 46 : 18, 5));
      paths.set(key, list);
    }
    const picture = svg('svg', { width: String(width), height: '76', viewBox: `0 0 ${width} 76`, 'aria-hidden': 'true', focusable: 'false' });
    const text = (content: string, attributes: Record<string, string>): PageElement => {
      const node = svg('text', attributes);
      node.textContent = content;
      return node;
    };
    picture.append(svg('line', { x1: String(left), x2: String(right), y1: '32', y2: '32' }), svg('line', { x1: String(left), x2: String(right), y1: '60', y2: '60' }));
    picture.append(text('keep', { x: '0', y: '22' }), text('delete', { x: '0', y: '50' }));
    picture.append(text(dateOf(earliest), { x: String(left), y: '74' }), text(dateOf(latest), { x: String(right), y: '74', 'text-anchor': 'end' }));
    for (const [key, list] of paths) {
      const [lane, reason] = key.split(':');
      picture.append(svg('path', { d: list.join(''), class: `shape-${reason}`, 'fill-rule': 'evenodd', 'data-lane': lane === '1' ? 'delete' : 'keep', 'data-reason': reason, 'data-count': String(list.length) }));
    }
    holder.append(picture);
  };
  const timelineSummary = (repository: number): string => {
    const indexes = byRepository[repository];
    if (indexes.length === 0) return 'No artifacts.';
    const kept = new Map<string, number>();
    let deleted = 0;
    let oldest = 0;
    let newest = Number.POSITIVE_INFINITY;
    for (const index of indexes) {
      const row = rows[index];
      oldest = Math.max(oldest, row[3]);
      newest = Math.min(newest, row[3]);
      if (isDelete(row)) deleted += 1;
      else kept.set(primaryOf(row), (kept.get(primaryOf(row)) ?? 0) + 1);
    }
    const keptCount = indexes.length - deleted;
    const parts = [...kept].sort((a, b) => reasonOrder(a[0]) - reasonOrder(b[0])).map(([key, value]) => `${count(value)} ${reasonLabel(key)}`);
    return `${plural(indexes.length, 'artifact')} pushed from ${dateOf(oldest)} to ${dateOf(newest)}: ${count(keptCount)} kept${parts.length > 0 ? ` (${parts.join(', ')})` : ''}, ${count(deleted)} ${deleting ? 'deleted or to delete' : 'to delete'}.`;
  };
  const drawTimelines = (): void => {
    const holder = section('timelines');
    const legend = el('ul', { class: 'legend', id: 'reason-legend', 'aria-label': 'Legend: the main reason of each mark' });
    for (const reason of REASONS) legend.append(el('li', {}, glyph(reason.key), reason.label));
    holder.append(el('p', {}, 'Each mark is an artifact at its push date: kept ones on the upper line, deleted ones on the lower, shaped and coloured by the main reason.'), legend);
    const list = el('div', { id: 'timeline-list' });
    holder.append(list);
    const Observer = browser.IntersectionObserver;
    const observer = Observer
      ? new Observer((entries) => {
          for (const entry of entries) {
            if (!entry.isIntersecting) continue;
            drawTimeline(entry.target, Number(entry.target.dataset.repository));
            observer?.unobserve(entry.target);
          }
        })
      : undefined;
    // The first timelines are drawn at once; the others when they come into view.
    const add = (entries: typeof listed, lazily: boolean): void => {
      for (const entry of entries) {
        const plot = el('div', { class: 'plot', 'data-repository': String(entry.index) });
        const headingId = `timeline-${entry.index}`;
        list.append(el('section', { class: 'timeline', 'aria-labelledby': headingId }, el('h3', { id: headingId }, entry.name), el('p', {}, timelineSummary(entry.index)), plot));
        if (observer && lazily) observer.observe(plot);
        else drawTimeline(plot, entry.index);
      }
    };
    add(listed.slice(0, TIMELINE_LIMIT), false);
    if (listed.length > TIMELINE_LIMIT) {
      const more = el('button', { type: 'button', class: 'no-print' }, `Show the other ${plural(listed.length - TIMELINE_LIMIT, 'timeline')}`);
      more.addEventListener('click', () => {
        more.remove();
        add(listed.slice(TIMELINE_LIMIT), true);
      });
      holder.append(more);
    }
  };

  // ---- The table of every artifact: filtered, sorted, and only the rows in view rendered. ----
  const collator = new Intl.Collator('en', { numeric: true });
  const rankOf = (values: readonly string[]): Int32Array => {
    const order = values.map((_, position) => position).sort((a, b) => collator.compare(values[a], values[b]));
    const ranks = new Int32Array(values.length);
    order.forEach((position, rank) => (ranks[position] = rank));
    return ranks;
  };
  const reasonSetText = dict.reasonSets.map((set) => set.map((reason) => dict.reasons[reason]).join(', '));
  const repositoryRank = rankOf(dict.repositories);
  const reasonSetRank = rankOf(reasonSetText);
  const resultRank = rankOf(dict.resultTexts);

  interface Column {
    readonly label: string;
    readonly className?: string;
    readonly text: (row: ArtifactRow) => string;
    /** A number per row that sorts as the column does; computed for every row the first time it sorts. */
    readonly key: (row: ArtifactRow, index: number) => number;
  }
  /** Each row's place among all rows by a text, for a column sorted by text: computed once, then numbers compare. */
  const textRank = (textOf: (row: ArtifactRow) => string): ((row: ArtifactRow, index: number) => number) => {
    let ranks: Float64Array | undefined;
    return (_, index) => {
      if (!ranks) {
        const texts = rows.map(textOf);
        const order = Array.from(texts.keys()).sort((a, b) => (texts[a] < texts[b] ? -1 : texts[a] > texts[b] ? 1 : 0));
        ranks = new Float64Array(rows.length);
        order.forEach((index, rank) => (ranks![index] = rank > 0 && texts[index] === texts[order[rank - 1]] ? ranks![order[rank - 1]] : rank));
      }
      return ranks[index];
    };
  };
  const columns: readonly Column[] = [
    { label: 'Repository', text: (row) => dict.repositories[row[0]], key: (row) => repositoryRank[row[0]] },
    { label: 'Tags', text: (row) => tagsText(row) || '<untagged>', key: textRank(tagsText) },
    // Digests are random: their first 48 bits order them (a tie, once in billions, keeps the plan's order).
    { label: 'Digest', className: 'mono', text: (row) => short(digestOf(row)), key: (row) => parseInt(row[2].slice(row[2].indexOf(':') + 1, row[2].indexOf(':') + 13), 16) || 0 },
    { label: 'Pushed', className: 'mono', text: (row) => instantOf(new Date(timeOf(row[3])).toISOString()), key: (row) => -row[3] },
    { label: 'Size', className: 'num', text: (row) => formatBytes(row[4]), key: (row) => row[4] },
    {
      label: 'Decision',
      text: (row) => `${isDelete(row) ? 'DELETE' : 'KEEP'} · ${reasonLabel(primaryOf(row))}`,
      key: (row) => (row[5] % 2) * 100 + reasonOrder(primaryOf(row)),
    },
    { label: 'Reasons', text: (row) => reasonSetText[row[7]], key: (row) => reasonSetRank[row[7]] },
    { label: 'Result', text: (row) => dict.resultTexts[row[8]], key: (row) => resultRank[row[8]] },
  ];
  const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const sortKeys: (Float64Array | undefined)[] = columns.map(() => undefined);
  const sortKeyOf = (column: number): Float64Array => {
    sortKeys[column] ??= Float64Array.from(rows, (row, index) => columns[column].key(row, index));
    return sortKeys[column];
  };

  // The reasons to filter by: each main reason (the one that marks the row, as the header counts them),
  // and each reason exactly as the plan gives it, wherever it stands among the row's reasons.
  const setCounts = new Int32Array(dict.reasonSets.length);
  for (const row of rows) setCounts[row[7]] += 1;
  const reasonCounts = new Map<string, number>();
  dict.reasonSets.forEach((set, position) => {
    if (setCounts[position] === 0) return;
    const names = new Set<string>();
    names.add(`main:${dict.primaries[position]}`);
    for (const reason of set) names.add(`reason:${dict.reasons[reason]}`);
    for (const name of names) reasonCounts.set(name, (reasonCounts.get(name) ?? 0) + setCounts[position]);
  });

  const state = { text: '', decision: 'all', reason: 'all', sort: -1, direction: 1, active: -1, open: -1 };
  let view: Int32Array = new Int32Array(rows.length).map((_, index) => index);
  /**
   * Whether a row holds the text (lower case) in its repository, a tag, its digest, a workload or a
   * reason. What repeats is looked at once per dictionary entry, so a search of 100,000 rows builds nothing.
   */
  const textMatcher = (needle: string): ((row: ArtifactRow) => boolean) => {
    const hits = (values: readonly string[]): boolean[] => values.map((value) => value.toLowerCase().includes(needle));
    const repositoryHit = hits(dict.repositories);
    const workloadHit = hits(dict.workloads);
    const reasonHit = hits(reasonSetText);
    const hexNeedle = needle.startsWith('sha256:') ? needle.slice('sha256:'.length) : needle;
    return (row) =>
      repositoryHit[row[0]] ||
      reasonHit[row[7]] ||
      row[2].includes(hexNeedle) ||
      (needle.includes(':') && digestOf(row).includes(needle)) ||
      row[1].some((tag) => tag.toLowerCase().includes(needle)) ||
      (row[11] || []).some((workload) => workloadHit[workload]);
  };

  const table = section('artifacts');
  const textInput = el('input', { type: 'search', id: 'filter-text', placeholder: 'repository, tag, digest, workload…', autocomplete: 'off' });
  const decisionSelect = el('select', { id: 'filter-decision' }, el('option', { value: 'all' }, 'Keep and delete'), el('option', { value: 'keep' }, 'Keep'), el('option', { value: 'delete' }, 'Delete'));
  const reasonSelect = el('select', { id: 'filter-reason' }, el('option', { value: 'all' }, 'Any reason'));
  const mainGroup = el('optgroup', { label: 'Main reason' });
  for (const reason of REASONS) {
    const found = reasonCounts.get(`main:${reason.key}`) ?? 0;
    if (found > 0) mainGroup.append(el('option', { value: `main:${reason.key}` }, `${reason.label} (${count(found)})`));
  }
  const exactGroup = el('optgroup', { label: 'Exact reason' });
  for (const [name, found] of [...reasonCounts].filter(([name]) => name.startsWith('reason:')).sort((a, b) => byString(a[0], b[0]))) {
    exactGroup.append(el('option', { value: name }, `${name.slice('reason:'.length)} (${count(found)})`));
  }
  reasonSelect.append(mainGroup, exactGroup);
  const status = el('p', { id: 'table-status', role: 'status', 'aria-live': 'polite' });
  const help = el('p', { id: 'table-help', class: 'no-print' }, 'Sort by a column with its heading. In the table: the arrow keys, Page Up, Page Down, Home and End move; Enter opens the artifact; Escape closes it.');
  table.append(
    el(
      'div',
      { class: 'controls', role: 'search', 'aria-label': 'Filter the artifacts' },
      el('label', { for: 'filter-text' }, 'Search', textInput),
      el('label', { for: 'filter-decision' }, 'Decision', decisionSelect),
      el('label', { for: 'filter-reason' }, 'Reason', reasonSelect),
    ),
    help,
    status,
  );

  const grid = el('div', {
    class: 'grid viewport',
    role: 'grid',
    id: 'artifact-grid',
    tabindex: '0',
    'aria-labelledby': 'artifacts-heading',
    'aria-describedby': 'table-help',
    'aria-colcount': String(columns.length),
    'aria-readonly': 'true',
  });
  grid.style.setProperty('--row-h', `${ROW_HEIGHT}px`);
  const headerRow = el('div', { role: 'row', class: 'grid-row grid-head', 'aria-rowindex': '1' });
  const headers = columns.map((column, position) => {
    const button = el('button', { type: 'button', tabindex: '-1' }, column.label);
    button.addEventListener('click', () => sortBy(position));
    const header = el('div', { role: 'columnheader', 'aria-sort': 'none', 'aria-colindex': String(position + 1), class: column.className ?? '' }, button);
    headerRow.append(header);
    return header;
  });
  const headGroup = el('div', { role: 'rowgroup', class: 'grid-headgroup', style: 'position:sticky;top:0;z-index:1' }, headerRow);
  const body = el('div', { role: 'rowgroup', class: 'grid-body' });
  const spacer = el('div', { class: 'spacer' }, body);
  grid.append(headGroup, spacer);
  // The sort buttons are reached with Tab before the grid: one tab stop each, in a toolbar.
  const sortBar = el('div', { class: 'controls no-print', role: 'toolbar', 'aria-label': 'Sort the artifacts by', 'aria-controls': 'artifact-grid' }, el('span', {}, 'Sort by:'));
  columns.forEach((column, position) => {
    const button = el('button', { type: 'button', 'data-column': String(position), 'aria-pressed': 'false' }, column.label);
    button.addEventListener('click', () => sortBy(position));
    sortBar.append(button);
  });
  const details = el('section', { id: 'details', 'aria-labelledby': 'details-heading', tabindex: '-1' });
  details.hidden = true;
  table.append(sortBar, grid, details, el('div', { id: 'print-table', class: 'print-only' }));

  const rowId = (position: number): string => `artifact-row-${position}`;
  const renderRows = (): void => {
    const headerHeight = headGroup.offsetHeight;
    const top = Math.max(0, grid.scrollTop - headerHeight);
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(view.length, Math.ceil((top + grid.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const fragment = document.createDocumentFragment();
    for (let position = first; position < last; position += 1) {
      const index = view[position];
      const row = rows[index];
      const element = el('div', {
        role: 'row',
        id: rowId(position),
        class: `grid-row${position === state.active ? ' active' : ''}${index === state.open ? ' open' : ''}`,
        'aria-rowindex': String(position + 2),
        'aria-selected': String(index === state.open),
        'data-position': String(position),
        'data-index': String(index),
        style: `top:${position * ROW_HEIGHT}px`,
      });
      columns.forEach((column, columnPosition) => {
        const cell = el('div', { role: 'gridcell', 'aria-colindex': String(columnPosition + 1), class: column.className ?? '' });
        if (columnPosition === 5) {
          const primary = primaryOf(row);
          cell.append(el('span', { class: `decision decision-${isDelete(row) ? 'delete' : 'keep'}` }, glyph(primary), isDelete(row) ? 'DELETE' : 'KEEP'), ` · ${reasonLabel(primary)}`);
        } else cell.textContent = column.text(row);
        cell.title = column.text(row);
        element.append(cell);
      });
      fragment.append(element);
    }
    body.replaceChildren(fragment);
    if (state.active >= 0 && state.active < view.length) grid.setAttribute('aria-activedescendant', rowId(state.active));
    else grid.removeAttribute('aria-activedescendant');
  };

  const applyView = (): void => {
    const started = performance.now();
    const needle = state.text.trim().toLowerCase();
    const wantsDelete = state.decision === 'delete';
    let reasonMatch: Uint8Array | undefined;
    if (state.reason !== 'all') {
      reasonMatch = new Uint8Array(dict.reasonSets.length);
      const [kind, ...rest] = state.reason.split(':');
      const wanted = rest.join(':');
      dict.reasonSets.forEach((set, position) => {
        reasonMatch![position] = (kind === 'main' ? dict.primaries[position] === wanted : set.some((reason) => dict.reasons[reason] === wanted)) ? 1 : 0;
      });
    }
    const matches = needle ? textMatcher(needle) : undefined;
    const kept: number[] = [];
    for (let index = 0; index < rows.length; index += 1) {
      const row = rows[index];
      if (state.decision !== 'all' && isDelete(row) !== wantsDelete) continue;
      if (reasonMatch && reasonMatch[row[7]] === 0) continue;
      if (matches && !matches(row)) continue;
      kept.push(index);
    }
    if (state.sort >= 0) {
      const keys = sortKeyOf(state.sort);
      const direction = state.direction;
      kept.sort((a, b) => direction * (keys[a] - keys[b]) || a - b);
    }
    view = Int32Array.from(kept);
    state.active = view.length === 0 ? -1 : Math.min(Math.max(state.active, 0), view.length - 1);
    grid.setAttribute('aria-rowcount', String(view.length + 1));
    spacer.style.height = `${view.length * ROW_HEIGHT}px`;
    headers.forEach((header, position) => header.setAttribute('aria-sort', position === state.sort ? (state.direction > 0 ? 'ascending' : 'descending') : 'none'));
    sortBar.querySelectorAll('button').forEach((button) => button.setAttribute('aria-pressed', String(Number(button.dataset.column) === state.sort)));
    status.textContent = `Showing ${count(view.length)} of ${plural(rows.length, 'artifact')}${state.sort >= 0 ? `, sorted by ${columns[state.sort].label.toLowerCase()} (${state.direction > 0 ? 'ascending' : 'descending'})` : ', in the plan’s order'}.`;
    renderRows();
    performance.measure('ecr:view', { start: started, end: performance.now() });
  };

  const sortBy = (column: number): void => {
    if (state.sort === column) state.direction = -state.direction;
    else {
      state.sort = column;
      state.direction = 1;
    }
    applyView();
  };

  let scheduled = false;
  grid.addEventListener('scroll', () => {
    if (scheduled) return;
    scheduled = true;
    browser.requestAnimationFrame(() => {
      scheduled = false;
      renderRows();
    });
  });
  let typing: number | undefined;
  textInput.addEventListener('input', () => {
    browser.clearTimeout(typing);
    typing = browser.setTimeout(() => {
      state.text = textInput.value;
      state.active = 0;
      applyView();
    }, 150);
  });
  decisionSelect.addEventListener('change', () => {
    state.decision = decisionSelect.value;
    state.active = 0;
    applyView();
  });
  reasonSelect.addEventListener('change', () => {
    state.reason = reasonSelect.value;
    state.active = 0;
    applyView();
  });

  const moveTo = (position: number): void => {
    if (view.length === 0) return;
    state.active = Math.min(Math.max(position, 0), view.length - 1);
    const headerHeight = headGroup.offsetHeight;
    const top = state.active * ROW_HEIGHT + headerHeight;
    if (top - headerHeight < grid.scrollTop) grid.scrollTop = top - headerHeight;
    else if (top + ROW_HEIGHT > grid.scrollTop + grid.clientHeight) grid.scrollTop = top + ROW_HEIGHT - grid.clientHeight;
    renderRows();
  };
  grid.addEventListener('focus', () => {
    if (state.active < 0 && view.length > 0) moveTo(0);
  });
  grid.addEventListener('keydown', (event) => {
    const page = Math.max(1, Math.floor((grid.clientHeight - headGroup.offsetHeight) / ROW_HEIGHT) - 1);
    const moves: Record<string, () => number> = {
      ArrowDown: () => state.active + 1,
      ArrowUp: () => state.active - 1,
      PageDown: () => state.active + page,
      PageUp: () => state.active - page,
      Home: () => 0,
      End: () => view.length - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      moveTo(moves[event.key]());
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      if (state.active >= 0) openArtifact(view[state.active]);
    } else if (event.key === 'Escape' && state.open >= 0) {
      event.preventDefault();
      closeArtifact();
    }
  });
  body.addEventListener('click', (event) => {
    const target = event.target?.closest('[role=row]');
    if (!target) return;
    state.active = Number(target.dataset.position);
    openArtifact(Number(target.dataset.index));
    grid.focus({ preventScroll: true });
  });

  // ---- An artifact opened: its reasons, its manifests, and the workloads that use it. ----
  const explainReason = (artifact: DecodedArtifact, reason: string): string => {
    const among = artifact.rankedAmong === 'all' ? '' : `${artifact.rankedAmong} `;
    const pushed = `pushed ${plural(daysAgo(artifact.pushedAt), 'day')} ago`;
    if (reason === 'unused') return `unused: no workload uses it, ${pushed}, newest ${among}#${artifact.rank}`;
    if (reason === 'recent') return `recent: ${pushed}`;
    if (reason === 'recently-pulled') return artifact.lastPulledAt ? `recently pulled: pulled ${plural(daysAgo(artifact.lastPulledAt), 'day')} ago` : 'recently pulled';
    if (reason === 'min-count') return `newest N (min-count): newest ${among}#${artifact.rank}`;
    if (reason === 'in-use-unknown') return 'unknown (in-use-unknown): in-use discovery was incomplete, so it is kept';
    if (reason.startsWith('in-use:')) return `in use: ${reason.slice('in-use:'.length).replace(/-/g, ' ')}`;
    if (reason.startsWith('protected-tag:')) return `protected tag: a tag matches ${reason.slice('protected-tag:'.length)}`;
    return reason.replace(/sha256:[0-9a-f]{64}/, (digest) => short(digest));
  };
  const kindOf = (artifact: DecodedArtifact, digest: string, reasons: readonly string[], mediaType?: string, artifactMediaType?: string): string => {
    if (digest === artifact.digest) return mediaType && /index|manifest\.list/.test(mediaType) ? 'image index' : 'image';
    if (reasons.some((reason) => reason.startsWith('referrer-of:'))) return artifactMediaType ? `referrer (${artifactMediaType})` : 'referrer';
    if (reasons.some((reason) => reason.startsWith('child-of:'))) return 'child';
    return artifact.members.includes(digest) ? 'member' : 'shared manifest';
  };
  const openArtifact = (index: number): void => {
    state.open = index;
    const artifact = decode(rows[index], dict, run.base);
    const tags = artifact.tags.join(' ') || '<untagged>';
    const term = (name: string, ...value: Child[]): PageElement[] => [el('dt', {}, name), el('dd', {}, ...value)];
    const reasons = el('ul');
    for (const reason of artifact.reasons) reasons.append(el('li', {}, explainReason(artifact, reason)));
    const used = el('ul', { id: 'details-used-by' });
    for (const workload of artifact.usedBy ?? []) used.append(el('li', {}, workload));
    const manifests = el('tbody');
    for (const decision of artifact.decisions) {
      manifests.append(
        el(
          'tr',
          {},
          el('td', { class: 'mono' }, decision.digest),
          el('td', {}, kindOf(artifact, decision.digest, decision.reasons, decision.mediaType, decision.artifactMediaType)),
          el('td', {}, decision.tags.join(' ')),
          el('td', { class: 'num' }, formatBytes(decision.sizeBytes)),
          el('td', {}, decision.action === 'keep' ? 'KEEP' : 'DELETE'),
          el('td', {}, decision.reasons.map((reason) => explainReason(artifact, reason)).join('; ')),
        ),
      );
    }
    const claimed = new Set(artifact.decisions.map((decision) => decision.digest));
    for (const member of artifact.members.filter((digest) => !claimed.has(digest))) {
      manifests.append(el('tr', {}, el('td', { class: 'mono' }, member), el('td', {}, 'member, claimed by another artifact'), el('td', {}), el('td', {}), el('td', {}), el('td', {})));
    }
    const close = el('button', { type: 'button', class: 'no-print' }, 'Close');
    close.addEventListener('click', closeArtifact);
    details.replaceChildren(
      el('h3', { id: 'details-heading' }, `${artifact.repository} ${tags}`),
      el(
        'dl',
        {},
        ...term('Digest', el('span', { class: 'mono' }, artifact.digest)),
        ...term('Decision', `${artifact.action === 'keep' ? 'KEEP' : 'DELETE'} · ${reasonLabel(dict.primaries[rows[index][7]])}`),
        ...term('Reasons', reasons),
        ...term('Result', dict.resultTexts[rows[index][8]]),
        ...term('Pushed', `${instantOf(artifact.pushedAt)} UTC (${plural(daysAgo(artifact.pushedAt), 'day')} before the run)`),
        ...term('Last pulled', artifact.lastPulledAt ? `${instantOf(artifact.lastPulledAt)} UTC` : 'no pull recorded'),
        ...term('Size', artifact.members.length > 0 ? `${formatBytes(artifact.sizeBytes)} with its ${plural(artifact.members.length, 'member')}` : formatBytes(artifact.sizeBytes)),
      ),
      el('h4', {}, 'Used by'),
      artifact.usedBy ? used : el('p', { id: 'details-used-by' }, 'No workload uses it.'),
      el('h4', {}, `Manifests (${artifact.decisions.length + artifact.members.filter((digest) => !claimed.has(digest)).length})`),
      el(
        'table',
        {},
        el('thead', {}, el('tr', {}, ...['Digest', 'Kind', 'Tags', 'Size', 'Decision', 'Reasons'].map((name) => el('th', { scope: 'col' }, name)))),
        manifests,
      ),
      close,
    );
    details.hidden = false;
    status.textContent = `Opened ${artifact.repository} ${tags}: its details are below the table.`;
    renderRows();
  };
  const closeArtifact = (): void => {
    state.open = -1;
    details.hidden = true;
    details.replaceChildren();
    renderRows();
    grid.focus();
  };

  // ---- Print: the table without virtualisation, up to a limit, and every timeline on the page drawn. ----
  const preparePrint = (): void => {
    document.querySelectorAll('.plot').forEach((plot) => drawTimeline(plot, Number(plot.dataset.repository)));
    const holder = section('print-table');
    const shown = Math.min(view.length, PRINT_LIMIT);
    const tbody = el('tbody');
    for (let position = 0; position < shown; position += 1) {
      const row = rows[view[position]];
      tbody.append(el('tr', {}, ...columns.map((column) => el('td', {}, column.text(row)))));
    }
    holder.replaceChildren(
      el('p', {}, shown < view.length ? `The first ${count(shown)} of ${count(view.length)} artifacts, in the table’s order; the CSV and the JSON plan list them all.` : `${plural(view.length, 'artifact')}, in the table’s order.`),
      el('table', { class: 'print-table' }, el('thead', {}, el('tr', {}, ...columns.map((column) => el('th', { scope: 'col' }, column.label)))), tbody),
    );
  };
  browser.addEventListener('beforeprint', preparePrint);
  browser.matchMedia('print').addEventListener('change', (event) => {
    if (event.matches) preparePrint();
  });

  try {
    drawChart();
    drawTimelines();
    applyView();
    performance.mark('ecr:rows');
    document.body.dataset.ready = 'true';
  } catch (error) {
    main.prepend(el('p', { role: 'alert' }, `The page could not draw the plan: ${String(error)}`));
    throw error;
  }
}
