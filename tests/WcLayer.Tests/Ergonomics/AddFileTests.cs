using WcLayer.Oci;
using WcLayer.Portable;
using WcLayer.Tests.Cli;
using WcLayer.Win32;

namespace WcLayer.Tests.Ergonomics;

/// <summary>Adding one file to a layer is one call; SDDL and binary names read alike on Sid and SecurityDescriptor.</summary>
public sealed class AddFileTests : IDisposable
{
    private const string Sddl = "O:BAG:SYD:(A;;FA;;;BA)(A;;FA;;;SY)";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AddFileWritesContentTimesAttributesAndSecurity()
    {
        var store = new PortableLayerStore();
        FileBasicInfo info = FileBasicInfo.FromTime(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero), FileAttributes.Archive | FileAttributes.ReadOnly);

        using (ILayerWriter writer = store.NewLayerWriter(_temp["layer"], []))
        {
            writer.Add("Files", FileBasicInfo.FromTime(DateTimeOffset.UnixEpoch, FileAttributes.Directory));
            await writer.AddFileAsync(@"Files\hello.txt", new MemoryStream("hi there"u8.ToArray()), info, Sddl);
            writer.Commit();
        }

        using var tar = new MemoryStream();
        await OciLayer.ExportLayerToTarAsync(tar, _temp["layer"], [], store);
        tar.Position = 0;
        await using var reader = new LayerTarReader(tar);
        LayerTarEntry? hello = null;
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            if (entry.Name == "Files/hello.txt")
            {
                hello = entry;
                using var content = new MemoryStream();
                await entry.DataStream!.CopyToAsync(content);
                Assert.Equal("hi there"u8.ToArray(), content.ToArray());
                break;
            }
        }

        Assert.NotNull(hello);
        Assert.Equal(info, hello.FileInfo);
        Assert.Equal(Sddl, SecurityDescriptor.FromBinary(hello.SecurityDescriptor!).ToSddl());
    }

    [Fact]
    public async Task AwaitUsingAnUncommittedWriterDiscardsTheLayer()
    {
        var store = new PortableLayerStore();

        await using (ILayerWriter writer = store.NewLayerWriter(_temp["layer"], []))
        {
            writer.Add("Files", FileBasicInfo.FromTime(DateTimeOffset.UnixEpoch, FileAttributes.Directory));
            await writer.AddFileAsync(@"Files.txt", new MemoryStream([1, 2, 3]), FileBasicInfo.FromTime(DateTimeOffset.UnixEpoch, FileAttributes.Archive));
        }

        Assert.False(store.LayerExists(_temp["layer"]));
        Assert.DoesNotContain(_temp.Contents(), name => !name.EndsWith(".lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadSddlAddsNothing()
    {
        var writer = new MemoryLayerWriterProbe();

        await Assert.ThrowsAsync<FormatException>(() => writer.AddFileAsync(@"Files\a", new MemoryStream([1]), default, "not sddl"));

        Assert.Equal(0, writer.Calls);
    }

    [Fact]
    public async Task ANonSeekableStreamIsRefusedBeforeAnythingIsAdded()
    {
        var writer = new MemoryLayerWriterProbe();

        await Assert.ThrowsAsync<ArgumentException>(() => writer.AddFileAsync(@"Files\a", new NonSeekable(), default));

        Assert.Equal(0, writer.Calls);
    }

    [Fact]
    public void SidAndSecurityDescriptorReadAndWriteAlike()
    {
        SecurityDescriptor parsed = SecurityDescriptor.Parse(Sddl);
        byte[] binary = parsed.ToBinary();

        Assert.Equal(Sddl, SecurityDescriptor.FromBinary(binary).ToSddl());
        Sid sid = Sid.Parse("S-1-5-32-544");
        Assert.Equal("S-1-5-32-544", Sid.FromBinary(sid.ToBinary()).ToSddl());

        // The former names still work for existing callers.
#pragma warning disable CS0618
        Assert.Equal(binary, SecurityDescriptor.ParseSddl(Sddl).ToBinary());
        Assert.Equal(binary, SecurityDescriptor.Parse(binary.AsSpan()).ToBinary());
#pragma warning restore CS0618
    }

    private sealed class MemoryLayerWriterProbe : ILayerWriter
    {
        public int Calls { get; private set; }

        public void Add(string name, FileBasicInfo info) => Calls++;

        public void AddLink(string name, string target) => Calls++;

        public void Remove(string name) => Calls++;

        public void Write(ReadOnlySpan<byte> backupStreamBytes) => Calls++;

        public void Commit() => Calls++;

        public void Dispose()
        {
        }
    }

    private sealed class NonSeekable : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
