using System.Buffers.Binary;
using System.Text;
using WcLayer.Win32;

namespace WcLayer.Benchmarks;

/// <summary>The shape of a generated layer.</summary>
/// <param name="Name">Preset name.</param>
/// <param name="FileCount">Regular files, hive deltas included.</param>
/// <param name="TotalBytes">Sum of the main data streams of all files (exact).</param>
/// <param name="Seed">PRNG seed: the same spec always gives the same layer.</param>
public sealed record SyntheticLayerSpec(string Name, int FileCount, long TotalBytes, ulong Seed = 0x5EED1A7EUL)
{
    public static SyntheticLayerSpec Many { get; } = new("many", 50_000, 1L << 30);

    public static SyntheticLayerSpec One { get; } = new("one", 1, 1L << 30);

    /// <summary>A quarter of <see cref="Many"/>: 256 MiB in 12 500 files (the scratch benchmark's smaller base).</summary>
    public static SyntheticLayerSpec Quarter { get; } = new("quarter", 12_500, 1L << 28);

    public static SyntheticLayerSpec FromName(string name) => name switch
    {
        "many" => Many,
        "one" => One,
        "quarter" => Quarter,
        _ when name.StartsWith("small", StringComparison.Ordinal) => new SyntheticLayerSpec(name, 500, 10L << 20),
        _ => throw new ArgumentException($"unknown preset '{name}' (many, quarter, one, small)"),
    };
}

/// <summary>SplitMix64: small, fast, deterministic on every runtime.</summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal deviate (Box–Muller).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

/// <summary>
/// A deterministic, generated Windows layer: <c>Files</c> and <c>Hives</c>, nested directories, files of
/// pseudo-random log-normal sizes (many small, a few large) that sum exactly to the target, each with BuildKit's
/// file security descriptor, some with an alternate data stream, a few hard links and tombstones. File content is
/// generated on the fly from a PRNG: nothing larger than one read buffer is ever held in memory.
/// </summary>
public sealed class SyntheticLayerReader : ILayerReader
{
    /// <summary>BuildKit's file security descriptor (moby/buildkit util/winlayers/differ.go), O:BAG:SYD:(A;;FA;;;BA)(A;;FA;;;SY)(A;;0x1200a9;;;BU).</summary>
    public static readonly byte[] FileSecurityDescriptor = Convert.FromBase64String(
        "AQAEgBQAAAAkAAAAAAAAADAAAAABAgAAAAAABSAAAAAgAgAAAQEAAAAAAAUSAAAAAgBMAAMAAAAAABgA/wEfAAECAAAAAAAFIAAAACACAAAAABQA/wEfAAEBAAAAAAAFEgAAAAAAGACpABIAAQIAAAAAAAUgAAAAIQIAAA==");

    /// <summary>BuildKit's directory security descriptor.</summary>
    public static readonly byte[] DirectorySecurityDescriptor = Convert.FromBase64String(
        "AQAEgBQAAAAkAAAAAAAAADAAAAABAgAAAAAABSAAAAAgAgAAAQEAAAAAAAUSAAAAAgCoAAcAAAAAAxgA/wEfAAECAAAAAAAFIAAAACACAAAAAxQA/wEfAAEBAAAAAAAFEgAAAAAAGAD/AR8AAQIAAAAAAAUgAAAAIAIAAAALFAAAAAAQAQEAAAAAAAMAAAAAAAMYAKkAEgABAgAAAAAABSAAAAAhAgAAAAIYAAQAAAABAgAAAAAABSAAAAAhAgAAAAIYAAIAAAABAgAAAAAABSAAAAAhAgAA");

    private static readonly byte[] ZoneIdentifier = Encoding.ASCII.GetBytes("[ZoneTransfer]\r\nZoneId=3\r\n");

    private static readonly string[] HiveNames = ["DefaultUser_Delta", "Sam_Delta", "Security_Delta", "Software_Delta", "System_Delta"];

    private const long BaseTime = 133_000_000_000_000_000; // 2022-06-18, FILETIME ticks
    private const int FilesPerDirectory = 40;
    private const int DirectoriesPerParent = 32;

    private readonly IEnumerator<Item> _items;
    private readonly List<Segment> _segments = [];
    private Item? _current;
    private int _segment;
    private long _segmentPosition;
    private SplitMix64 _content;
    private bool _disposed;

    public SyntheticLayerReader(SyntheticLayerSpec spec)
    {
        Spec = spec;
        _items = Enumerate(spec).GetEnumerator();
    }

    public SyntheticLayerSpec Spec { get; }

    /// <summary>Layer entries returned so far.</summary>
    public long Entries { get; private set; }

    public LayerEntry? Next()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _segments.Clear();
        _segment = 0;
        _segmentPosition = 0;
        if (!_items.MoveNext())
        {
            _current = null;
            return null;
        }

        Item item = _items.Current;
        _current = item;
        Entries++;
        if (item.Info is not { } info)
        {
            return new LayerEntry(item.Name, 0, null);
        }

        if (item.LinkOf is null)
        {
            var prefix = new MemoryStream();
            using (var w = new BackupStreamWriter(prefix, leaveOpen: true))
            {
                w.WriteStream(BackupStreamId.SecurityData, info.IsDirectory ? DirectorySecurityDescriptor : FileSecurityDescriptor);
                if (!info.IsDirectory)
                {
                    w.WriteHeader(new BackupStreamHeader(BackupStreamId.Data, BackupStreamAttributes.None, item.Size));
                }
            }

            _segments.Add(new Segment(prefix.ToArray(), 0));
            if (!info.IsDirectory)
            {
                _segments.Add(new Segment(null, item.Size));
                _content = new SplitMix64(Spec.Seed ^ (ulong)item.FileId * 0x9E3779B97F4A7C15);
                if (item.HasStream)
                {
                    var ads = new MemoryStream();
                    using (var w = new BackupStreamWriter(ads, leaveOpen: true))
                    {
                        w.WriteStream(BackupStreamId.AlternateData, ZoneIdentifier, ":Zone.Identifier:$DATA");
                    }

                    _segments.Add(new Segment(ads.ToArray(), 0));
                }
            }
        }

        return new LayerEntry(item.Name, info.IsDirectory ? 0 : item.Size, info);
    }

    public int Read(Span<byte> buffer)
    {
        if (_current is null)
        {
            throw new InvalidOperationException("no current entry");
        }

        int total = 0;
        while (buffer.Length > 0 && _segment < _segments.Count)
        {
            Segment s = _segments[_segment];
            long left = (s.Bytes?.Length ?? s.GeneratedLength) - _segmentPosition;
            if (left == 0)
            {
                _segment++;
                _segmentPosition = 0;
                continue;
            }

            int n = (int)Math.Min(left, buffer.Length);
            if (s.Bytes is not null)
            {
                s.Bytes.AsSpan((int)_segmentPosition, n).CopyTo(buffer);
            }
            else
            {
                Generate(buffer[..n]);
            }

            _segmentPosition += n;
            buffer = buffer[n..];
            total += n;
        }

        return total;
    }

    public LayerLinkInfo GetLinkInfo()
    {
        if (_current is not { Info: not null } item)
        {
            throw new InvalidOperationException("no current entry, or a tombstone");
        }

        return new LayerLinkInfo(item.Linked ? 2u : 1u, (UInt128)item.FileId);
    }

    public void Dispose()
    {
        _disposed = true;
        _items.Dispose();
    }

    /// <summary>Fills with PRNG bytes; the stream is a function of the file and of the read boundaries only through 8-byte words, which is fine for a benchmark as the exporter reads with a fixed buffer.</summary>
    private void Generate(Span<byte> destination)
    {
        while (destination.Length >= 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination, _content.Next());
            destination = destination[8..];
        }

        if (destination.Length > 0)
        {
            Span<byte> last = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(last, _content.Next());
            last[..destination.Length].CopyTo(destination);
        }
    }

    /// <summary>The sizes of the regular files (hives excluded): log-normal, scaled so the total is exact.</summary>
    internal static long[] FileSizes(SyntheticLayerSpec spec, int count, long total)
    {
        if (count == 1)
        {
            return [total];
        }

        var rng = new SplitMix64(spec.Seed);
        var weights = new double[count];
        double sum = 0;
        for (int i = 0; i < count; i++)
        {
            // median ~1 KiB, heavy tail: most files are small, a handful are tens of MiB.
            weights[i] = Math.Exp(7.0 + (2.2 * rng.NextGaussian()));
            sum += weights[i];
        }

        var sizes = new long[count];
        long assigned = 0;
        int largest = 0;
        for (int i = 0; i < count; i++)
        {
            sizes[i] = (long)(weights[i] / sum * total);
            assigned += sizes[i];
            if (sizes[i] > sizes[largest])
            {
                largest = i;
            }
        }

        sizes[largest] += total - assigned;
        return sizes;
    }

    private static IEnumerable<Item> Enumerate(SyntheticLayerSpec spec)
    {
        long time = BaseTime;
        FileBasicInfo Info(FileAttributes attributes)
        {
            time += 10_000_123; // ~1 s apart, with 100 ns digits
            return new FileBasicInfo(time - 5_000_000_000, time + 7, time, time + 3, attributes);
        }

        const FileAttributes Dir = FileAttributes.Directory;
        const FileAttributes File = FileAttributes.Archive;
        long fileId = 0;
        yield return new Item("Files", Info(Dir), 0, ++fileId);

        if (spec.FileCount == 1)
        {
            yield return new Item(@"Files\big.bin", Info(File), spec.TotalBytes, ++fileId);
            yield return new Item("Hives", Info(Dir), 0, ++fileId);
            yield break;
        }

        int hives = Math.Min(HiveNames.Length, spec.FileCount - 1);
        int regular = spec.FileCount - hives;
        long hiveBytes = hives * 4096L;
        long[] sizes = FileSizes(spec, regular, spec.TotalBytes - hiveBytes);
        var rng = new SplitMix64(spec.Seed + 1);

        int directories = (regular + FilesPerDirectory - 1) / FilesPerDirectory;
        int file = 0;
        string? lastParent = null;
        for (int d = 0; d < directories; d++)
        {
            string parent = $@"Files\d{d / DirectoriesPerParent:D3}";
            if (parent != lastParent)
            {
                yield return new Item(parent, Info(Dir), 0, ++fileId);
                lastParent = parent;
            }

            string dir = $@"{parent}\s{d % DirectoriesPerParent:D2}";
            yield return new Item(dir, Info(Dir), 0, ++fileId);
            for (int k = 0; k < FilesPerDirectory && file < regular; k++, file++)
            {
                ulong r = rng.Next();
                bool linked = r % 1000 == 7;
                var item = new Item($@"{dir}\file{file:D5}.dat", Info(File), sizes[file], ++fileId)
                {
                    HasStream = r % 50 == 3,
                    Linked = linked,
                };
                yield return item;
                if (linked)
                {
                    yield return item with { Name = $@"{dir}\link{file:D5}.dat", LinkOf = item.Name, HasStream = false };
                }

                if (r % 2000 == 11)
                {
                    yield return new Item($@"{dir}\deleted{file:D5}.tmp", null, 0, 0);
                }
            }
        }

        yield return new Item("Hives", Info(Dir), 0, ++fileId);
        for (int h = 0; h < hives; h++)
        {
            yield return new Item($@"Hives\{HiveNames[h]}", Info(File), 4096, ++fileId);
        }
    }

    private sealed record Item(string Name, FileBasicInfo? Info, long Size, long FileId)
    {
        public bool HasStream { get; init; }

        public bool Linked { get; init; }

        public string? LinkOf { get; init; }
    }

    private readonly record struct Segment(byte[]? Bytes, long GeneratedLength);
}
