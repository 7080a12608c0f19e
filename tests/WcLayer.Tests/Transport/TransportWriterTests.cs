using WcLayer.Transport;
using WcLayer.Win32;
using static WcLayer.Tests.Transport.TransportRoundTripTests;

namespace WcLayer.Tests.Transport;

/// <summary>hcsshim's legacy writer error cases (spec 8.8), lifecycle misuse (B11), UtilityVM cloning (8.7, B1).</summary>
public sealed class TransportWriterTests : IDisposable
{
    private static readonly FileBasicInfo Dir = new(1, 2, 3, 4, FileAttributes.Directory);
    private static readonly FileBasicInfo File1 = new(5, 6, 7, 8, FileAttributes.Archive);
    private readonly TransportTestFolder _folder = new();

    public void Dispose()
    {
        _folder.AssertCanaryUntouched();
        _folder.Dispose();
    }

    private TransportLayerWriter NewWriter(bool portable = true, params string[] parents) =>
        new(_folder.Layer, parents.Length == 0 ? [_folder.Parent] : parents, _folder.Layer, new TransportLayerWriterOptions { ImportFolderIsLayer = portable });

    [Theory]
    [InlineData(@"Files\..\..\x")]
    [InlineData(@"\Files\x")]
    [InlineData(@"C:\x")]
    [InlineData(@"Files\a:b")]
    [InlineData("../canary/secret")]
    public void NamesThatEscapeAreRejected(string name)
    {
        using TransportLayerWriter writer = NewWriter();
        writer.Add("Files", Dir);
        var e = Assert.Throws<InvalidDataException>(() => writer.Add(name, File1));
        Assert.Contains("invalid layer entry name", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => writer.Remove(name));
        Assert.Throws<InvalidDataException>(() => writer.AddLink(@"Files\l", name));
    }

    [Fact]
    public void ErrorCasesOfTheLegacyWriter()
    {
        using TransportLayerWriter writer = NewWriter();
        Assert.Equal(Win32Error.PathNotFound, Assert.Throws<LayerPathException>(() => writer.Add(@"Files\nodir\x", File1)).ErrorCode);
        writer.Add("Files", Dir);
        writer.Add(@"Files\a", File1);
        Assert.Equal(Win32Error.AlreadyExists, Assert.Throws<LayerPathException>(() => writer.Add(@"Files\a", File1)).ErrorCode);
        Assert.StartsWith("missing UtilityVM directory", Assert.Throws<InvalidDataException>(() => writer.Add(@"UtilityVM\Files\x", File1)).Message, StringComparison.Ordinal);
        Assert.StartsWith("invalid hard link in layer", Assert.Throws<InvalidDataException>(() => writer.AddLink(@"Hives\x", @"Files\a")).Message, StringComparison.Ordinal);
        Assert.StartsWith("invalid hard link in layer", Assert.Throws<InvalidDataException>(() => writer.AddLink(@"Files\x", @"Hives\a")).Message, StringComparison.Ordinal);
        Assert.Equal(@"failed to find link target for 'Files\x' -> 'Files\nope'", Assert.Throws<InvalidDataException>(() => writer.AddLink(@"Files\x", @"Files\nope")).Message);
        Assert.Equal(@"invalid tombstone Hives\x", Assert.Throws<InvalidDataException>(() => writer.Remove(@"Hives\x")).Message);
        Assert.Throws<InvalidOperationException>(() => writer.Write([1]));
    }

    [Fact]
    public void UtilityVMMistakes()
    {
        using var writer = new TransportLayerWriter(_folder.Layer, [], _folder.Layer, new TransportLayerWriterOptions { ImportFolderIsLayer = true });
        writer.Add("UtilityVM", Dir);
        Assert.StartsWith(@"invalid UtilityVM layer: UtilityVM\Other", Assert.Throws<InvalidDataException>(() => writer.Add(@"UtilityVM\Other", File1)).Message, StringComparison.Ordinal);
        var e = Assert.Throws<LayerPathException>(() => writer.Remove(@"UtilityVM\Files\missing"));
        Assert.StartsWith("stat ", e.Message, StringComparison.Ordinal);
        Assert.Equal(Win32Error.FileNotFound, e.ErrorCode);
    }

    [Fact]
    public void BaseLayerCannotHaveTombstones()
    {
        using var writer = new TransportLayerWriter(_folder.Layer, [], _folder.Layer, new TransportLayerWriterOptions { ImportFolderIsLayer = true });
        Assert.StartsWith("base layer cannot have tombstones", Assert.Throws<InvalidDataException>(() => writer.Remove(@"Files\x")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LifecycleMisuseThrows()
    {
        TransportLayerWriter writer = NewWriter();
        Assert.Throws<InvalidOperationException>(() => writer.Write([1]));
        writer.Add("Files", Dir);
        writer.Commit();
        Assert.Throws<InvalidOperationException>(() => writer.Add(@"Files\b", File1));
        Assert.Throws<InvalidOperationException>(() => writer.Commit());
        writer.Dispose();
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Add(@"Files\c", File1));

        var reader = new TransportLayerReader(_folder.Layer);
        reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => reader.Next());
    }

    [Fact]
    public void HcsStagingKeepsNoTombstonesFileAndCompletesAfterImport()
    {
        using TransportLayerWriter writer = NewWriter(portable: false);
        writer.Add("Files", Dir);
        writer.Remove(@"Files\gone");
        writer.Commit();
        Assert.False(File.Exists(Path.Combine(_folder.Layer, "tombstones.txt")));
        Assert.Equal([@"Files\gone"], writer.Tombstones);
        writer.CompleteImport();
        Assert.Throws<InvalidOperationException>(() => NewWriter(portable: true).CompleteImport());
    }

    [Fact]
    public void DirectoryReparsePointsAreRecreatedEmptyAtCommit()
    {
        using (TransportLayerWriter writer = NewWriter())
        {
            writer.Add("Files", Dir);
            writer.Add(@"Files\junction", Dir with { FileAttributes = FileAttributes.Directory | FileAttributes.ReparsePoint });
            writer.Write(Stream(BackupStreamId.ReparseData, ReparsePoint.Create(@"C:\target", isMountPoint: true).Buffer.ToArray()));
            Assert.Equal(Win32Error.PathNotFound, Assert.Throws<LayerPathException>(() => writer.Add(@"Files\junction\inside", File1)).ErrorCode);
            writer.Commit();
        }

        Assert.True(Directory.Exists(Path.Combine(_folder.Layer, "Files", "junction")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_folder.Layer, "Files", "junction")));
        var entry = ReadAll(_folder.Layer).Single(e => e.Entry.Name == @"Files\junction");
        Assert.True(entry.Entry.FileInfo!.Value.IsReparsePoint);
    }

    [Fact]
    public void HardLinksToThisLayerAndToParents()
    {
        using (var parent = new TransportLayerWriter(_folder.Parent, [], _folder.Parent, new TransportLayerWriterOptions { ImportFolderIsLayer = true }))
        {
            parent.Add("Files", Dir);
            parent.Add(@"Files\p", File1);
            parent.Write(Stream(BackupStreamId.Data, [1, 2, 3]));
            parent.Commit();
        }

        using (TransportLayerWriter writer = NewWriter())
        {
            writer.Add("Files", Dir);
            writer.Add(@"Files\own", File1);
            writer.Write(Stream(BackupStreamId.Data, [4]));
            writer.AddLink(@"Files\toOwn", @"Files\own");
            writer.AddLink(@"Files\toParent", @"Files\p");
            writer.Commit();
        }

        var read = ReadAll(_folder.Layer).ToDictionary(e => e.Entry.Name);
        Assert.Equal(read[@"Files\own"].Link!.Value.FileId, read[@"Files\toOwn"].Link!.Value.FileId);
        Assert.Equal(read[@"Files\own"].Content, read[@"Files\toOwn"].Content);
        Assert.Equal(3, read[@"Files\toParent"].Entry.Size);
        Assert.Equal(2u, read[@"Files\toParent"].Link!.Value.NumberOfLinks);
    }

    [Fact]
    public void UtilityVMIsClonedFromTheImmediateParentWithBcdFilesCopied()
    {
        using (var parent = new TransportLayerWriter(_folder.Parent, [], _folder.Parent, new TransportLayerWriterOptions { ImportFolderIsLayer = true }))
        {
            parent.Add("UtilityVM", Dir);
            foreach (string dir in new[] { @"UtilityVM\Files", @"UtilityVM\Files\EFI", @"UtilityVM\Files\EFI\Microsoft", @"UtilityVM\Files\EFI\Microsoft\Boot" })
            {
                parent.Add(dir, Dir);
            }

            parent.Add(@"UtilityVM\Files\EFI\Microsoft\Boot\BCD", File1);
            parent.Write(Stream(BackupStreamId.Data, [0xB, 0xC, 0xD]));
            parent.Add(@"UtilityVM\Files\kernel", File1);
            parent.Write(Stream(BackupStreamId.SecurityData, [1, 0, 4, 0x80]).Concat(Stream(BackupStreamId.Data, [7])).ToArray());
            parent.Commit();
        }

        using (TransportLayerWriter writer = NewWriter())
        {
            writer.Add("UtilityVM", Dir);
            writer.Add(@"UtilityVM\Files\new", File1);
            writer.Write(Stream(BackupStreamId.Data, [9]));
            writer.Remove(@"UtilityVM\Files\kernel");
            writer.Commit();
        }

        string parentBcd = Path.Combine(_folder.Parent, "UtilityVM", "Files", "EFI", "Microsoft", "Boot", "BCD");
        string childBcd = Path.Combine(_folder.Layer, "UtilityVM", "Files", "EFI", "Microsoft", "Boot", "BCD");
        Assert.Equal(File.ReadAllBytes(parentBcd), File.ReadAllBytes(childBcd));
        using (var root = LayerRoot.Open(_folder.Root))
        {
            Assert.NotEqual(root.Stat(@"parent\UtilityVM\Files\EFI\Microsoft\Boot\BCD")!.Value.FileId, root.Stat(@"layer\UtilityVM\Files\EFI\Microsoft\Boot\BCD")!.Value.FileId);
        }

        Assert.False(File.Exists(Path.Combine(_folder.Layer, "UtilityVM", "Files", "kernel")));
        Assert.True(File.Exists(Path.Combine(_folder.Parent, "UtilityVM", "Files", "kernel")));
        var read = ReadAll(_folder.Layer).ToDictionary(e => e.Entry.Name);
        Assert.Equal(Stream(BackupStreamId.Data, [9]), read[@"UtilityVM\Files\new"].Content);
        Assert.Equal(File1, read[@"UtilityVM\Files\new"].Entry.FileInfo);
        Assert.Equal(Stream(BackupStreamId.Data, [0xB, 0xC, 0xD]), read[@"UtilityVM\Files\EFI\Microsoft\Boot\BCD"].Content);
    }

    [Fact]
    public void PlainFilesKeepEveryStream()
    {
        byte[] stream = Stream(BackupStreamId.SecurityData, [1, 0, 4, 0x80, 9, 9])
            .Concat(Stream(BackupStreamId.Data, [1, 2, 3, 4, 5]))
            .Concat(Stream(BackupStreamId.AlternateData, [6, 7], ":s:$DATA")).ToArray();
        using (TransportLayerWriter writer = NewWriter())
        {
            writer.Add("Hives", Dir);
            writer.Add(@"Hives\Sam_Delta", File1);
            foreach (byte b in stream)
            {
                writer.Write([b]);
            }

            writer.Commit();
        }

        Assert.Equal([1, 2, 3, 4, 5], File.ReadAllBytes(Path.Combine(_folder.Layer, "Hives", "Sam_Delta")));
        var entry = ReadAll(_folder.Layer).Single(e => e.Entry.Name == @"Hives\Sam_Delta");
        Assert.Equal(stream, entry.Content);
        Assert.Equal(5, entry.Entry.Size);
    }
}
