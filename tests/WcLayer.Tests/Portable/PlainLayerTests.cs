using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Microsoft.Win32.SafeHandles;
using WcLayer.Portable;
using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Tests.Portable;

public sealed class PlainLayerTestsOverlay() : PlainLayerTests(ScratchMode.Overlay);

public sealed class PlainLayerTestsCopy() : PlainLayerTests(ScratchMode.Copy);

/// <summary>Store format 2 on disk: plain trees, metadata in extended attributes and blobs, reparse points as links that stay in the mount, whiteouts.</summary>
public abstract class PlainLayerTests(ScratchMode mode) : IDisposable
{
    private static readonly FileBasicInfo LinkInfo = StoreFixture.FileInfo with { FileAttributes = FileAttributes.ReparsePoint | FileAttributes.Archive };
    private static readonly FileBasicInfo DirectoryLinkInfo = StoreFixture.DirInfo with { FileAttributes = FileAttributes.ReparsePoint | FileAttributes.Directory };

    private readonly StoreFixture _store = new(mode);

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void MetadataTooLargeForExt4SpillsIntoBlobsAndSurvivesARenameInTheMount()
    {
        byte[] stream = LargeMetadataStream("content"u8.ToArray());
        string layer = _store.PathOf("base");
        using (ILayerWriter writer = _store.Store.NewLayerWriter(layer, []))
        {
            writer.Add("Files", StoreFixture.DirInfo);
            writer.Add(@"Files\big.txt", StoreFixture.FileInfo);
            writer.Write(stream);
            writer.Commit();
        }

        // The layer holds a plain file whose attribute names a blob in the layer.
        Assert.Equal("content", File.ReadAllText(Path.Combine(layer, "Files", "big.txt")));
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(layer, MetadataBlobStore.FolderName)));
        Assert.Equal(stream, ReadAll(layer, [], @"Files\big.txt"));

        string mount = _store.Mount("s", "base");
        File.Move(Path.Combine(mount, "big.txt"), Path.Combine(mount, "moved.txt"));
        byte[] moved = ReadAll(_store.PathOf("s"), [layer], @"Files\moved.txt");
        Assert.Equal(Streams(stream), Streams(moved));
    }

    [Fact]
    public void ReparsePointsBecomeLinksThatStayInsideTheMountAndExportUnchanged()
    {
        var links = new (string Name, ReparsePoint Reparse, FileBasicInfo Info)[]
        {
            (@"Files\Windows\up", ReparsePoint.Create(@"..\..\..\..\..\etc\passwd", isMountPoint: false), LinkInfo),
            (@"Files\Windows\abs", ReparsePoint.Create(@"C:\Windows\win.ini", isMountPoint: false), LinkInfo),
            (@"Files\Windows\other", ReparsePoint.Create(@"D:\x\..\..\..\Windows", isMountPoint: false), DirectoryLinkInfo),
            (@"Files\junction", ReparsePoint.Create(@"C:\Windows", isMountPoint: true), DirectoryLinkInfo),
            (@"Files\unc", ReparsePoint.Create(@"\\server\share\x", isMountPoint: false), LinkInfo),
        };
        string layer = _store.PathOf("base");
        var written = new Dictionary<string, byte[]>();
        using (ILayerWriter writer = _store.Store.NewLayerWriter(layer, []))
        {
            writer.Add("Files", StoreFixture.DirInfo);
            writer.Add(@"Files\Windows", StoreFixture.DirInfo);
            writer.Add(@"Files\Windows\win.ini", StoreFixture.FileInfo);
            writer.Write(StoreFixture.FileStream("[ini]"u8.ToArray()));
            foreach ((string name, ReparsePoint reparse, FileBasicInfo info) in links)
            {
                var output = new MemoryStream();
                using (var w = new BackupStreamWriter(output, leaveOpen: true))
                {
                    w.WriteStream(BackupStreamId.SecurityData, StoreFixture.FileSecurity);
                    w.WriteStream(BackupStreamId.ReparseData, reparse.Buffer.Span);
                }

                written[name] = output.ToArray();
                writer.Add(name, info);
                writer.Write(written[name]);
            }

            writer.Commit();
        }

        foreach ((string name, _, FileBasicInfo info) in links)
        {
            Assert.Equal(written[name], ReadAll(layer, [], name));
        }

        string mount = _store.Mount("s", "base");
        Assert.Equal("-> ../etc/passwd", StoreFixture.View(mount)["Windows/up"]);
        Assert.Equal("-> ../Windows/win.ini", StoreFixture.View(mount)["Windows/abs"]);
        Assert.Equal("[ini]", File.ReadAllText(Path.Combine(mount, "Windows", "abs")));
        Assert.Equal("-> ../Windows", StoreFixture.View(mount)["Windows/other"]);
        Assert.Equal("-> Windows", StoreFixture.View(mount)["junction"]);
        Assert.Equal("[ini]", File.ReadAllText(Path.Combine(mount, "junction", "win.ini")));

        // A UNC target has nothing to point at in C:\: the reparse point stays a placeholder file.
        Assert.Equal(string.Empty, StoreFixture.View(mount)["unc"]);
        foreach (string link in Directory.EnumerateFileSystemEntries(mount, "*", SearchOption.AllDirectories))
        {
            if (new FileInfo(link).LinkTarget is { } target)
            {
                Assert.StartsWith(mount + "/", Path.GetFullPath(Path.Combine(Path.GetDirectoryName(link)!, target)), StringComparison.Ordinal);
            }
        }

        // Unchanged links are no change; the export of the parent is unchanged.
        Assert.Null(_store.Store.NewLayerReader(_store.PathOf("s"), [layer]).Next());
    }

    [Fact]
    public void ALinkWithAnEmptyTargetIsKeptAsAPlaceholder()
    {
        byte[] reparse = ReparsePoint.Create(string.Empty, isMountPoint: false).Buffer.ToArray();
        var output = new MemoryStream();
        using (var w = new BackupStreamWriter(output, leaveOpen: true))
        {
            w.WriteStream(BackupStreamId.ReparseData, reparse);
        }

        string layer = _store.PathOf("base");
        using (ILayerWriter writer = _store.Store.NewLayerWriter(layer, []))
        {
            writer.Add("Files", StoreFixture.DirInfo);
            writer.Add(@"Files\empty", LinkInfo);
            writer.Write(output.ToArray());
            writer.Commit();
        }

        Assert.Equal(output.ToArray(), ReadAll(layer, [], @"Files\empty"));
        string mount = _store.Mount("s", "base");
        Assert.Equal(string.Empty, StoreFixture.View(mount)["empty"]);
    }

    [Fact]
    public void TombstonesAreMirroredAsWhiteoutsUnderImplicitDirectories()
    {
        _store.Layer("base", [], "d:d", "f:d/x=1", "f:d/y=2", "f:top=t");
        string child = _store.Layer("child", ["base"], "w:d/x", "w:top");
        using (var root = (UnixLayerRoot)LayerRoot.Open(child))
        {
            Assert.True(root.Stat(@"Files\top")!.Value.IsWhiteout);
            Assert.True(root.Stat(@"Files\d\x")!.Value.IsWhiteout);
            Assert.True(PlainFilesTree.IsImplicit(root, @"Files\d"));
        }

        // The implicit directory is not an entry of the layer: its export is the tombstones only.
        var names = new List<string>();
        using (ILayerReader reader = _store.Store.NewLayerReader(child, [_store.PathOf("base")]))
        {
            while (reader.Next() is { } entry)
            {
                names.Add((entry.IsTombstone ? "-" : "+") + entry.Name);
            }
        }

        Assert.Equal(["+Files", @"-Files\top", @"-Files\d\x"], names);
        Assert.Equal(new Dictionary<string, string> { ["d"] = "/", ["d/y"] = "2" }, StoreFixture.View(_store.Mount("s", "child", "base")));
    }

    [Fact]
    public async Task AFifoInALayerIsRefusedNotWaitedFor()
    {
        string layer = _store.Layer("base", [], "f:a=1");
        using (var mkfifo = Process.Start("mkfifo", Path.Combine(layer, "Files", "fifo")))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        Exception? error = await Task.Run(() => Record.Exception(() => _store.Store.ExportLayer(layer, _store.PathOf("out"), []))).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("fifo", Assert.IsType<LayerPathException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FilesThatDifferOnlyInSizeHaveByteEqualMetadataSoExt4CanShareIt()
    {
        string layer = _store.PathOf("base");
        byte[] small = StoreFixture.FileStream("a"u8.ToArray());
        byte[] large = StoreFixture.FileStream(new byte[70_000]);
        byte[] empty = StoreFixture.FileStream([]);
        using (ILayerWriter writer = _store.Store.NewLayerWriter(layer, []))
        {
            writer.Add("Files", StoreFixture.DirInfo);
            foreach ((string name, byte[] stream) in new[] { ("small", small), ("large", large), ("empty", empty) })
            {
                writer.Add($@"Files\{name}", StoreFixture.FileInfo);
                writer.Write(stream);
            }

            writer.Commit();
        }

        byte[] StoredStreams(string name)
        {
            using SafeFileHandle handle = File.OpenHandle(Path.Combine(layer, "Files", name));
            return UnixLayerRoot.ReadAttribute(handle, UnixLayerRoot.StreamsAttribute, name) ?? throw new InvalidOperationException($"{name} has no stored streams");
        }

        // The data stream's size is stored as "the file's length", so only the security descriptor is left to differ.
        Assert.Equal(StoredStreams("small"), StoredStreams("large"));
        Assert.Equal(-1L, BinaryPrimitives.ReadInt64LittleEndian(StoredStreams("small").AsSpan(StoredStreams("small").Length - 12)));
        Assert.Equal(0L, BinaryPrimitives.ReadInt64LittleEndian(StoredStreams("empty").AsSpan(StoredStreams("empty").Length - 12)));
        Assert.Equal(small, ReadAll(layer, [], @"Files\small"));
        Assert.Equal(large, ReadAll(layer, [], @"Files\large"));
        Assert.Equal(empty, ReadAll(layer, [], @"Files\empty"));
    }

    [Fact]
    public void ThePosixTimesOfFilesAndDirectoriesAreTheirWindowsTimesAfterTheDataIsIn()
    {
        string layer = _store.PathOf("base");
        using (ILayerWriter writer = _store.Store.NewLayerWriter(layer, []))
        {
            writer.Add("Files", StoreFixture.DirInfo);
            writer.Add(@"Files\dir", StoreFixture.DirInfo);
            writer.Add(@"Files\dir\data.txt", StoreFixture.FileInfo);
            writer.Write(StoreFixture.FileStream(new byte[100_000]));
            writer.Add(@"Files\dir\empty.txt", StoreFixture.FileInfo);
            writer.Write(StoreFixture.FileStream([]));
            writer.Commit();
        }

        // Written after the times were stored, the data would have moved the modification time to the import's.
        Assert.Equal(FileTime.ToDateTime(StoreFixture.FileInfo.LastWriteTime), File.GetLastWriteTimeUtc(Path.Combine(layer, "Files", "dir", "data.txt")));
        Assert.Equal(FileTime.ToDateTime(StoreFixture.FileInfo.LastAccessTime), File.GetLastAccessTimeUtc(Path.Combine(layer, "Files", "dir", "data.txt")));
        Assert.Equal(FileTime.ToDateTime(StoreFixture.FileInfo.LastWriteTime), File.GetLastWriteTimeUtc(Path.Combine(layer, "Files", "dir", "empty.txt")));
        Assert.Equal(FileTime.ToDateTime(StoreFixture.DirInfo.LastWriteTime), Directory.GetLastWriteTimeUtc(Path.Combine(layer, "Files", "dir")));
    }

    [Fact]
    public void ASparseFileKeepsItsStatedSizesAndItsTrailingHole()
    {
        // A sparse data stream of size 0, one block at 4 KiB, and a data stream of 64 KiB around it: the file ends in a hole.
        var output = new MemoryStream();
        using (var w = new BackupStreamWriter(output, leaveOpen: true))
        {
            w.WriteStream(BackupStreamId.SecurityData, StoreFixture.FileSecurity);
            w.WriteHeader(new BackupStreamHeader(BackupStreamId.Data, BackupStreamAttributes.Sparse, 0));
            w.WriteHeader(new BackupStreamHeader(BackupStreamId.SparseBlock, BackupStreamAttributes.None, 10, Offset: 4096));
            w.Write("0123456789"u8);
            w.WriteHeader(new BackupStreamHeader(BackupStreamId.SparseBlock, BackupStreamAttributes.None, 0, Offset: 65536));
        }

        byte[] stream = output.ToArray();
        string layer = _store.PathOf("base");
        using (ILayerWriter writer = _store.Store.NewLayerWriter(layer, []))
        {
            writer.Add("Files", StoreFixture.DirInfo);
            writer.Add(@"Files\sparse", StoreFixture.FileInfo);
            writer.Write(stream);
            writer.Commit();
        }

        Assert.Equal(65536, new FileInfo(Path.Combine(layer, "Files", "sparse")).Length);
        Assert.Equal(stream, ReadAll(layer, [], @"Files\sparse"));
    }

    [Fact]
    public void StoredStreamsThatGiveADirectoryAFileLengthAreCorrupt()
    {
        var blob = new byte[BackupStreamHeader.FixedSize];
        BinaryPrimitives.WriteUInt32LittleEndian(blob, (uint)BackupStreamId.Data);
        BinaryPrimitives.WriteInt64LittleEndian(blob.AsSpan(8), StoredStream.FileLengthSize);
        var e = Assert.Throws<InvalidDataException>(() => new PlainFileBackupReader(blob, null, includeSecurity: true, "Files/dir"));
        Assert.Contains("Files/dir", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a file", e.Message, StringComparison.Ordinal);

        BinaryPrimitives.WriteInt64LittleEndian(blob.AsSpan(8), -2);
        Assert.Throws<InvalidDataException>(() => PlainFileBackupReader.LogicalSize(blob, 10, "Files/f"));
    }

    [Fact]
    public void AFormat1LayerSaysToReimport()
    {
        string layer = _store.PathOf("old");
        Directory.CreateDirectory(layer);
        File.WriteAllText(Path.Combine(layer, "wclayer.json"), """{"format":"wclayer-portable-layer","version":1,"kind":"layer"}""");
        var e = Assert.Throws<InvalidDataException>(() => _store.Store.NewLayerReader(layer, []));
        Assert.Contains("import it again", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A backup stream bigger than ext4's attribute space: a 64 KiB security descriptor, 200 EAs, a 1 MiB alternate data stream.</summary>
    internal static byte[] LargeMetadataStream(byte[] content)
    {
        var sddl = new StringBuilder("O:BAG:BAD:");
        for (int i = 0; sddl.Length < 60_000; i++)
        {
            sddl.Append(System.Globalization.CultureInfo.InvariantCulture, $"(A;;FA;;;S-1-5-21-1000-2000-3000-{i + 1000})");
        }

        byte[] security = SecurityDescriptor.ParseSddl(sddl.ToString()).ToBinary();
        Assert.True(security.Length > 32 * 1024, $"security descriptor of {security.Length} bytes");
        byte[] eas = ExtendedAttributeList.Encode(Enumerable.Range(0, 200).Select(i => new ExtendedAttribute($"EA{i:D3}", new byte[20])));
        byte[] alternate = new byte[1 << 20];
        new Random(7).NextBytes(alternate);
        var output = new MemoryStream();
        using (var w = new BackupStreamWriter(output, leaveOpen: true))
        {
            w.WriteStream(BackupStreamId.SecurityData, security);
            w.WriteStream(BackupStreamId.ExtendedAttributes, eas);
            w.WriteStream(BackupStreamId.Data, content);
            w.WriteStream(BackupStreamId.AlternateData, alternate, ":big:$DATA");
        }

        return output.ToArray();
    }

    private byte[] ReadAll(string layer, IReadOnlyList<string> parents, string name)
    {
        using ILayerReader reader = _store.Store.NewLayerReader(layer, parents);
        while (reader.Next() is { } entry)
        {
            if (entry.Name == name)
            {
                var content = new MemoryStream();
                var buffer = new byte[65536];
                int n;
                while ((n = reader.Read(buffer)) > 0)
                {
                    content.Write(buffer, 0, n);
                }

                return content.ToArray();
            }
        }

        throw new InvalidOperationException($"{name} is not in {layer}");
    }

    private static List<(BackupStreamId, string, int, string)> Streams(byte[] backup)
    {
        var list = new List<(BackupStreamId, string, int, string)>();
        using var reader = new BackupStreamReader(new MemoryStream(backup));
        while (reader.ReadNextHeader() is { } h)
        {
            byte[] data = reader.ReadToEnd(4 << 20);
            list.Add((h.Id, h.Name, data.Length, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(data))));
        }

        return list;
    }
}

/// <summary>
/// Item 5 of issue 8: 200 000 entries in one directory mount and diff. The copy mode is the one that reads every entry
/// (overlay mounts in O(1) and diffs the upper directory); it was quadratic (the view manifest was scanned per entry).
/// </summary>
public sealed class LargeDirectoryTests
{
    [Fact]
    public void TwoHundredThousandEntriesInOneDirectoryMountAndDiffInCopyMode()
    {
        const int Count = 200_000;
        using var store = new StoreFixture(ScratchMode.Copy);
        string layer = store.PathOf("base");
        byte[] stream = StoreFixture.FileStream([]);
        using (ILayerWriter writer = store.Store.NewLayerWriter(layer, []))
        {
            writer.Add("Files", StoreFixture.DirInfo);
            writer.Add(@"Files\big", StoreFixture.DirInfo);
            for (int i = 0; i < Count; i++)
            {
                writer.Add($@"Files\big\f{i:D6}", StoreFixture.FileInfo);
                writer.Write(stream);
            }

            writer.Commit();
        }

        string mount = store.Mount("s", "base");
        Assert.Equal(Count, Directory.EnumerateFiles(Path.Combine(mount, "big")).Count());
        File.WriteAllText(Path.Combine(mount, "big", "f100000"), "changed");
        File.Delete(Path.Combine(mount, "big", "f199999"));

        var names = new List<string>();
        using (ILayerReader reader = store.Store.NewLayerReader(store.PathOf("s"), [layer]))
        {
            while (reader.Next() is { } entry)
            {
                names.Add((entry.IsTombstone ? "-" : "+") + entry.Name);
            }
        }

        Assert.Equal(["+Files", @"+Files\big", @"-Files\big\f199999", @"+Files\big\f100000"], names);
    }
}
