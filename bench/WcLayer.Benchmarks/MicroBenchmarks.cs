using BenchmarkDotNet.Attributes;
using WcLayer.Oci;
using WcLayer.Win32;

namespace WcLayer.Benchmarks;

/// <summary>Win32 backup stream headers: parse and write one file's streams (security descriptor, data, ADS).</summary>
[MemoryDiagnoser]
public class BackupStreamBenchmarks
{
    private static readonly byte[] Data = new byte[64];
    private static readonly byte[] Zone = "[ZoneTransfer]\r\nZoneId=3\r\n"u8.ToArray();
    private byte[] _stream = [];
    private MemoryStream _output = new();

    [GlobalSetup]
    public void Setup()
    {
        var ms = new MemoryStream();
        using (var w = new BackupStreamWriter(ms, leaveOpen: true))
        {
            Write(w);
        }

        _stream = ms.ToArray();
        _output = new MemoryStream(_stream.Length);
    }

    [Benchmark]
    public int ParseHeaders()
    {
        int count = 0;
        using var r = new BackupStreamReader(new MemoryStream(_stream, writable: false));
        while (r.ReadNextHeader() is not null)
        {
            count++;
        }

        return count;
    }

    [Benchmark]
    public long WriteHeaders()
    {
        _output.Position = 0;
        using (var w = new BackupStreamWriter(_output, leaveOpen: true))
        {
            Write(w);
        }

        return _output.Position;
    }

    private static void Write(BackupStreamWriter w)
    {
        w.WriteStream(BackupStreamId.SecurityData, SyntheticLayerReader.FileSecurityDescriptor);
        w.WriteStream(BackupStreamId.Data, Data);
        w.WriteStream(BackupStreamId.AlternateData, Zone, ":Zone.Identifier:$DATA");
    }
}

/// <summary>The PAX header our exporter writes for a typical file (fileattr, rawsd, creationtime, atime, ctime, mtime).</summary>
[MemoryDiagnoser]
public class PaxHeaderBenchmarks
{
    private static readonly FileBasicInfo Info = new(133_000_000_001_234_567, 133_000_000_101_234_567, 133_000_000_201_234_567, 133_000_000_301_234_567, FileAttributes.Archive);
    private static readonly string Sd = Convert.ToBase64String(SyntheticLayerReader.FileSecurityDescriptor);
    private readonly MemoryStream _output = new(4096);

    [Benchmark]
    public async Task<long> WriteFileHeader()
    {
        _output.Position = 0;
        var writer = new TarArchiveWriter(_output);
        TarHeader header = LayerToTarConverter.BasicInfoHeader("Files/Windows/System32/drivers/etc/hosts", 0, Info);
        header.Mode |= TarHeader.ModeRegular;
        header.PaxRecords[PaxKeys.RawSecurityDescriptor] = Sd;
        await writer.WriteHeaderAsync(header, CancellationToken.None);
        return _output.Position;
    }
}

/// <summary>Security descriptors: binary → object → SDDL, and back.</summary>
[MemoryDiagnoser]
public class SecurityDescriptorBenchmarks
{
    private static readonly byte[] Directory = SyntheticLayerReader.DirectorySecurityDescriptor;
    private const string DirectorySddl = "O:BAG:SYD:(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)(A;;FA;;;BA)(A;OICIIO;GA;;;CO)(A;OICI;0x1200a9;;;BU)(A;CI;LC;;;BU)(A;CI;DC;;;BU)";

    [Benchmark]
    public string ParseToSddl() => SecurityDescriptor.Parse(Directory).ToSddl();

    [Benchmark]
    public byte[] SddlToBinary() => SecurityDescriptor.ParseSddl(DirectorySddl).ToBinary();
}

/// <summary>The tar bridge on a generated 10 MiB layer (500 files) held in memory.</summary>
[MemoryDiagnoser]
public class TarBridgeBenchmarks
{
    private static readonly SyntheticLayerSpec Spec = new("small", 500, 10L << 20);
    private byte[] _tar = [];

    [GlobalSetup]
    public void Setup()
    {
        var ms = new MemoryStream();
        using var reader = new SyntheticLayerReader(Spec);
        OciLayer.WriteTarFromLayerAsync(reader, ms).GetAwaiter().GetResult();
        _tar = ms.ToArray();
    }

    [Benchmark]
    public Task<long> TarToLayer() => OciLayer.WriteLayerFromTarAsync(new MemoryStream(_tar, writable: false), new DiscardingLayerWriter());

    [Benchmark]
    public async Task LayerToTar()
    {
        using var reader = new SyntheticLayerReader(Spec);
        await OciLayer.WriteTarFromLayerAsync(reader, Stream.Null);
    }
}

/// <summary>An <see cref="ILayerWriter"/> that drops everything.</summary>
public sealed class DiscardingLayerWriter : ILayerWriter
{
    public long Bytes { get; private set; }

    public void Add(string name, FileBasicInfo info)
    {
    }

    public void AddLink(string name, string target)
    {
    }

    public void Remove(string name)
    {
    }

    public void Write(ReadOnlySpan<byte> backupStreamBytes) => Bytes += backupStreamBytes.Length;

    public void Commit()
    {
    }

    public void Dispose()
    {
    }
}
