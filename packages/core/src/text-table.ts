/** A column of {@link formatTable}: its header and which side its cells hug. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/**
 * Renders rows as a plain-text table with aligned columns.
 *
 * @example
 * ```ts
 * formatTable([{ header: 'group' }, { header: 'pool', align: 'right' }], [['web', '10']]);
 * ```
 */
export function formatTable(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        const width = widths[index] ?? 0;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...rows.map(line)].join('\n');
}
