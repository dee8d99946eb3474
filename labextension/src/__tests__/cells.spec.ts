import { findAttemptCell, ICellInfo, insertionIndex, mlzeroCellSource, relativeToNotebook, shellWord } from '../cells';

const RUN = 'run-1';

function attempt(id: string, number: number, runId = RUN): ICellInfo {
  return { id, mlzero: { run_id: runId, attempt: number } };
}

describe('where attempt cells go', () => {
  const plain = (id: string): ICellInfo => ({ id });

  it('puts the first attempt right below the originating cell', () => {
    const cells = [plain('a'), plain('origin'), plain('b')];
    expect(insertionIndex(cells, 'origin', RUN, 1)).toBe(2);
  });

  it('puts later attempts after the highest earlier one, and an earlier one before later ones', () => {
    const cells = [plain('origin'), attempt('c1', 1), attempt('c3', 3), plain('after')];
    expect(insertionIndex(cells, 'origin', RUN, 4)).toBe(3);
    expect(insertionIndex(cells, 'origin', RUN, 2)).toBe(2);
  });

  it('ignores the cells of another run', () => {
    const cells = [plain('origin'), attempt('x1', 1, 'other'), plain('b')];
    expect(insertionIndex(cells, 'origin', RUN, 2)).toBe(1);
  });

  it('without the originating cell: before the run later attempts, else at the end', () => {
    expect(insertionIndex([plain('a'), attempt('c2', 2)], null, RUN, 1)).toBe(1);
    expect(insertionIndex([plain('a'), plain('b')], 'deleted', RUN, 1)).toBe(2);
  });

  it('finds an attempt already present (so it is updated, not inserted again)', () => {
    const cells = [plain('origin'), attempt('c1', 1), attempt('c2', 2)];
    expect(findAttemptCell(cells, RUN, 2)).toBe(2);
    expect(findAttemptCell(cells, RUN, 3)).toBe(-1);
    expect(findAttemptCell(cells, 'other', 1)).toBe(-1);
  });
});

describe('the %%mlzero cell of the New-run form', () => {
  it('writes the options on the magic line and the description as the body', () => {
    const source = mlzeroCellSource({
      data: 'data/titanic',
      description: 'Who survived? Use {accuracy}.',
      timeLimit: '2m',
      provider: 'offline',
      model: '',
      guide: true
    });
    expect(source).toBe(
      '%%mlzero data/titanic --time-limit 2m --provider offline --guide\nWho survived? Use {{accuracy}}.'
    );
  });

  it('quotes paths with spaces and quotes like a shell word', () => {
    expect(shellWord('my data/train set')).toBe("'my data/train set'");
    expect(shellWord("it's")).toBe("'it'\"'\"'s'");
    expect(shellWord('')).toBe("''");
    expect(
      mlzeroCellSource({ data: '', description: 'x', timeLimit: '', provider: '', model: 'm 1', guide: false })
    ).toBe("%%mlzero . --model 'm 1'\nx");
  });

  it('makes file browser paths relative to the notebook folder', () => {
    expect(relativeToNotebook('work/nb.ipynb', 'work/data')).toBe('data');
    expect(relativeToNotebook('work/deep/nb.ipynb', 'data/x.csv')).toBe('../../data/x.csv');
    expect(relativeToNotebook('nb.ipynb', '')).toBe('.');
    expect(relativeToNotebook('work/nb.ipynb', 'work')).toBe('.');
  });
});
