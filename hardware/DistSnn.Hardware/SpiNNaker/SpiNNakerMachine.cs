namespace DistSnn.Hardware.SpiNNaker;

/// <summary>A chip of a modelled machine: its coordinates on the torus and the board it is on.</summary>
public sealed record Chip(int X, int Y, int Board);

/// <summary>
/// A SpiNNaker machine: chips on a two-dimensional triangular lattice, each with six links (0 east, 1 north-east,
/// 2 north, 3 west, 4 south-west, 5 south; the opposite of link l is (l + 3) mod 6). A SpiNN-3 board is a 2 × 2
/// torus; one SpiNN-5 board is a hexagon of 48 chips in an 8 × 8 box without wrap-around; SpiNN-5 boards in triads of
/// three tile a 12 × 12 torus, and w × h triads a (12w) × (12h) torus.
/// </summary>
public sealed class SpiNNakerMachine
{
    private static readonly (int Dx, int Dy)[] LinkSteps = [(1, 0), (1, 1), (0, 1), (-1, 0), (-1, -1), (0, -1)];

    // The chips of a SpiNN-5 board: column x holds rows Lo[x] to Hi[x].
    private static readonly int[] Spin5Lo = [0, 0, 0, 0, 0, 1, 2, 3];
    private static readonly int[] Spin5Hi = [3, 4, 5, 6, 7, 7, 7, 7];

    private readonly Chip?[,] _grid;

    private SpiNNakerMachine(BoardType type, int boards, int width, int height, bool wraps, IEnumerable<Chip> chips)
    {
        BoardType = type;
        Boards = boards;
        Width = width;
        Height = height;
        Wraps = wraps;
        _grid = new Chip?[width, height];
        foreach (var c in chips)
        {
            if (_grid[c.X, c.Y] is not null) throw new InvalidOperationException($"two boards put a chip at ({c.X}, {c.Y})");
            _grid[c.X, c.Y] = c;
        }
        // Placement fills chips outward from (0, 0), nearest first, so that a small model stays on few chips.
        Chips = Enumerable.Range(0, width).SelectMany(x => Enumerable.Range(0, height).Select(y => _grid[x, y]))
            .OfType<Chip>().OrderBy(c => Distance(new Chip(0, 0, 0), c)).ThenBy(c => c.Y).ThenBy(c => c.X).ToArray();
    }

    /// <summary>The board type.</summary>
    public BoardType BoardType { get; }
    /// <summary>Boards in the machine.</summary>
    public int Boards { get; }
    /// <summary>Width of the chip grid.</summary>
    public int Width { get; }
    /// <summary>Height of the chip grid.</summary>
    public int Height { get; }
    /// <summary>Whether links wrap around the edges (a torus).</summary>
    public bool Wraps { get; }
    /// <summary>Every chip, nearest to (0, 0) first (the order placement fills them in).</summary>
    public IReadOnlyList<Chip> Chips { get; }

    /// <summary>A machine of <paramref name="boards"/> boards of <paramref name="type"/> (SpiNN-5: 1, or triads of 3; other counts are rounded up to whole triads).</summary>
    public static SpiNNakerMachine Create(BoardType type, int boards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(boards, 1);
        if (type == BoardType.Spin3)
        {
            if (boards != 1) throw new ArgumentException($"SpiNN-3 machines have one board, not {boards}", nameof(boards));
            return new SpiNNakerMachine(type, 1, 2, 2, true, [new Chip(0, 0, 0), new Chip(1, 0, 0), new Chip(0, 1, 0), new Chip(1, 1, 0)]);
        }
        if (boards == 1) return new SpiNNakerMachine(type, 1, 8, 8, false, Spin5Board(0, 0, 0, 8, 8));
        int triads = (boards + 2) / 3;
        int w = (int)Math.Ceiling(Math.Sqrt(triads)), h = (triads + w - 1) / w;
        int width = 12 * w, height = 12 * h;
        var chips = new List<Chip>();
        int board = 0;
        for (int ty = 0; ty < h; ty++)
            for (int tx = 0; tx < w; tx++)
                foreach (var (ox, oy) in new[] { (0, 0), (8, 4), (4, 8) })
                    chips.AddRange(Spin5Board(12 * tx + ox, 12 * ty + oy, board++, width, height));
        return new SpiNNakerMachine(type, board, width, height, true, chips);
    }

    /// <summary>The machines a mapping tries, smallest first, when the number of boards is not given.</summary>
    public static IEnumerable<SpiNNakerMachine> Growing(BoardType type, int maxBoards)
    {
        if (type == BoardType.Spin3)
        {
            yield return Create(type, 1);
            yield break;
        }
        yield return Create(type, 1);
        for (int triads = 1; 3 * triads <= maxBoards; triads++)
        {
            int w = (int)Math.Ceiling(Math.Sqrt(triads)), h = (triads + w - 1) / w;
            if (w * h == triads) yield return Create(type, 3 * triads);
        }
    }

    private static IEnumerable<Chip> Spin5Board(int x0, int y0, int board, int width, int height)
    {
        for (int x = 0; x < 8; x++)
            for (int y = Spin5Lo[x]; y <= Spin5Hi[x]; y++)
                yield return new Chip((x0 + x) % width, (y0 + y) % height, board);
    }

    /// <summary>The chip at (<paramref name="x"/>, <paramref name="y"/>), or null where there is none.</summary>
    public Chip? At(int x, int y) => x >= 0 && y >= 0 && x < Width && y < Height ? _grid[x, y] : null;

    /// <summary>The chip link <paramref name="link"/> of <paramref name="chip"/> leads to, or null when it leads nowhere.</summary>
    public Chip? Neighbour(Chip chip, int link)
    {
        var (dx, dy) = LinkSteps[link];
        int x = chip.X + dx, y = chip.Y + dy;
        if (Wraps)
        {
            x = (x + Width) % Width;
            y = (y + Height) % Height;
        }
        return At(x, y);
    }

    /// <summary>The link opposite <paramref name="link"/>: where a packet entering on it leaves by default.</summary>
    public static int Opposite(int link) => (link + 3) % 6;

    /// <summary>Hops between two chips on the lattice (without wrap-around; for ordering only).</summary>
    public static int Distance(Chip a, Chip b)
    {
        int dx = b.X - a.X, dy = b.Y - a.Y;
        return Math.Sign(dx) == Math.Sign(dy) ? Math.Max(Math.Abs(dx), Math.Abs(dy)) : Math.Abs(dx) + Math.Abs(dy);
    }

    /// <summary>
    /// Shortest paths from <paramref name="source"/> to every chip, as the link each chip is entered by (-1 at the
    /// source, -2 where unreachable); ties go to the lowest link, so the tree is the same on every run.
    /// </summary>
    public int[,] ShortestPathTree(Chip source)
    {
        var enteredBy = new int[Width, Height];
        for (int x = 0; x < Width; x++) for (int y = 0; y < Height; y++) enteredBy[x, y] = -2;
        enteredBy[source.X, source.Y] = -1;
        var queue = new Queue<Chip>();
        queue.Enqueue(source);
        while (queue.Count > 0)
        {
            var c = queue.Dequeue();
            for (int link = 0; link < 6; link++)
                if (Neighbour(c, link) is { } n && enteredBy[n.X, n.Y] == -2)
                {
                    enteredBy[n.X, n.Y] = link;
                    queue.Enqueue(n);
                }
        }
        return enteredBy;
    }

    /// <summary>The chip a packet came from when it entered <paramref name="chip"/> by <paramref name="link"/>.</summary>
    public Chip Previous(Chip chip, int link) => Neighbour(chip, Opposite(link))
        ?? throw new InvalidOperationException($"chip ({chip.X}, {chip.Y}) has no link {Opposite(link)}");
}
