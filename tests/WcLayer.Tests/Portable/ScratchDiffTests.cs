using WcLayer.Portable;
using WcLayer.Oci;
using WcLayer.Win32;

namespace WcLayer.Tests.Portable;

public sealed class ScratchDiffTestsOverlay() : ScratchDiffTests(ScratchMode.Overlay);

public sealed class ScratchDiffTestsCopy() : ScratchDiffTests(ScratchMode.Copy);

/// <summary>On a btrfs loop device, where the view's files share their data with the parents' (FICLONE).</summary>
public sealed class ScratchDiffTestsReflink() : ScratchDiffTests(ScratchMode.Reflink);

public abstract class ScratchDiffTests(ScratchMode mode) : IDisposable
{
    private readonly StoreFixture _store = new(mode);

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    private List<(string Name, bool Tombstone, FileBasicInfo? Info, byte[] Content)> Diff(string scratch, params string[] parents)
    {
        var entries = new List<(string, bool, FileBasicInfo?, byte[])>();
        using ILayerReader reader = _store.Store.NewLayerReader(_store.PathOf(scratch), parents.Select(_store.PathOf).ToList());
        while (reader.Next() is { } e)
        {
            var content = new MemoryStream();
            var buffer = new byte[4096];
            int n;
            while ((n = reader.Read(buffer)) > 0)
            {
                content.Write(buffer, 0, n);
            }

            entries.Add((e.Name, e.IsTombstone, e.FileInfo, content.ToArray()));
        }

        return entries;
    }

    private static List<(BackupStreamId Id, string Name, byte[] Data)> Streams(byte[] backup)
    {
        var list = new List<(BackupStreamId, string, byte[])>();
        using var reader = new BackupStreamReader(new MemoryStream(backup));
        while (reader.ReadNextHeader() is { } h)
        {
            list.Add((h.Id, h.Name, reader.ReadToEnd()));
        }

        return list;
    }

    [Fact]
    public void UnchangedMountHasAnEmptyDiff()
    {
        _store.Layer("base", [], "d:Windows", "f:Windows/win.ini=base", "l:Windows/link.ini=Windows/win.ini");
        _store.Mount("s", "base");
        Assert.Empty(Diff("s", "base"));
    }

    [Fact]
    public void AddChangeDeleteRenameAreReportedExactly()
    {
        _store.Layer("base", [], "d:Windows", "f:Windows/win.ini=base", "f:Windows/old.txt=old", "f:Windows/move.txt=move", "d:Temp", "f:Temp/junk=j", "f:root.txt=r");
        // Give win.ini an alternate data stream in the parent: a changed file keeps it.
        string mount = _store.Mount("s", "base");
        File.WriteAllText(Path.Combine(mount, "Windows", "new.txt"), "new");
        File.WriteAllText(Path.Combine(mount, "Windows", "win.ini"), "changed!");
        File.Delete(Path.Combine(mount, "Windows", "old.txt"));
        File.Move(Path.Combine(mount, "Windows", "move.txt"), Path.Combine(mount, "Windows", "moved.txt"));
        Directory.Delete(Path.Combine(mount, "Temp"), recursive: true);
        Directory.CreateDirectory(Path.Combine(mount, "NewDir"));
        File.CreateSymbolicLink(Path.Combine(mount, "NewDir", "link"), "../root.txt");

        var diff = Diff("s", "base");
        Assert.Equal(
            ["Files", @"Files\Temp", @"Files\NewDir", @"Files\NewDir\link", @"Files\Windows", @"Files\Windows\move.txt", @"Files\Windows\old.txt", @"Files\Windows\moved.txt", @"Files\Windows\new.txt", @"Files\Windows\win.ini"],
            diff.Select(d => d.Name));
        Assert.Equal([@"Files\Temp", @"Files\Windows\move.txt", @"Files\Windows\old.txt"], diff.Where(d => d.Tombstone).Select(d => d.Name));

        var winIni = diff.Single(d => d.Name == @"Files\Windows\win.ini");
        Assert.Equal(FileAttributes.Archive, winIni.Info!.Value.FileAttributes);
        Assert.Equal(StoreFixture.FileInfo.CreationTime, winIni.Info.Value.CreationTime);
        Assert.Equal([(BackupStreamId.SecurityData, "", StoreFixture.FileSecurity), (BackupStreamId.Data, "", "changed!"u8.ToArray())],
            Streams(winIni.Content).Select(s => (s.Id, s.Name, s.Data)));

        var added = diff.Single(d => d.Name == @"Files\Windows\new.txt");
        Assert.Equal(FileAttributes.Archive, added.Info!.Value.FileAttributes);
        Assert.Equal([(BackupStreamId.Data, "", "new"u8.ToArray())], Streams(added.Content).Select(s => (s.Id, s.Name, s.Data)));

        var link = diff.Single(d => d.Name == @"Files\NewDir\link");
        Assert.True(link.Info!.Value.IsReparsePoint);
        ReparsePoint reparse = ReparsePoint.Decode(Streams(link.Content).Single().Data);
        Assert.Equal(@"..\root.txt", reparse.Target);
        Assert.True(reparse.IsRelative);

        var windows = diff.Single(d => d.Name == @"Files\Windows");
        Assert.Equal(StoreFixture.DirInfo, windows.Info);
    }

    [Fact]
    public async Task ExportedDiffImportsOnTheChainAndReproducesTheMount()
    {
        _store.Layer("base", [], "d:Windows", "f:Windows/win.ini=base", "f:Windows/old.txt=old", "f:keep=k");
        string mount = _store.Mount("s", "base");
        File.WriteAllText(Path.Combine(mount, "Windows", "win.ini"), "changed");
        File.Delete(Path.Combine(mount, "Windows", "old.txt"));
        Directory.CreateDirectory(Path.Combine(mount, "a", "b"));
        File.WriteAllText(Path.Combine(mount, "a", "b", "c.txt"), "deep");
        SortedDictionary<string, string> expected = StoreFixture.View(mount);

        // As with HCS, the export unprepares and deactivates the scratch layer: an overlay mount goes.
        var tar = new MemoryStream();
        await OciLayer.ExportLayerToTarAsync(tar, _store.PathOf("s"), [_store.PathOf("base")], _store.Store);
        tar.Position = 0;
        await OciLayer.ImportLayerFromTarAsync(tar, _store.PathOf("diff"), [_store.PathOf("base")], _store.Store);

        string view = _store.Mount("s2", "diff", "base");
        Assert.Equal(expected, StoreFixture.View(view));
    }

    [Fact]
    public void FileReplacedByDirectoryIsATombstoneThenTheDirectory()
    {
        _store.Layer("base", [], "f:x=file");
        string mount = _store.Mount("s", "base");
        File.Delete(Path.Combine(mount, "x"));
        Directory.CreateDirectory(Path.Combine(mount, "x"));
        var diff = Diff("s", "base");
        Assert.Equal(["Files", @"Files\x", @"Files\x"], diff.Select(d => d.Name));
        Assert.True(diff[1].Tombstone);
        Assert.True(diff[2].Info!.Value.IsDirectory);
    }

    [Fact]
    public async Task HardLinkedChangeIsExportedOnceWithALink()
    {
        _store.Layer("base", [], "f:a=1", "l:b=a");
        string mount = _store.Mount("s", "base");
        File.AppendAllText(Path.Combine(mount, "a"), "2");
        using ILayerReader reader = _store.Store.NewLayerReader(_store.PathOf("s"), [_store.PathOf("base")]);
        var tar = new MemoryStream();
        await OciLayer.WriteTarFromLayerAsync(reader, tar);
        tar.Position = 0;
        using var tarReader = new LayerTarReader(tar);
        var entries = new List<LayerTarEntry>();
        while (tarReader.GetNextEntry() is { } e)
        {
            entries.Add(e);
        }

        Assert.Equal(["Files", "Files/a", "Files/b"], entries.Select(e => e.Name));
        Assert.Equal(LayerTarEntryType.HardLink, entries[2].EntryType);
        Assert.Equal("Files/a", entries[2].LinkTarget);
    }
}

public sealed class ScratchDiffStreamsTestsOverlay() : ScratchDiffStreamsTests(ScratchMode.Overlay);

public sealed class ScratchDiffStreamsTestsCopy() : ScratchDiffStreamsTests(ScratchMode.Copy);

/// <summary>On a btrfs loop device, where the view's files share their data with the parents' (FICLONE).</summary>
public sealed class ScratchDiffStreamsTestsReflink() : ScratchDiffStreamsTests(ScratchMode.Reflink);

public abstract class ScratchDiffStreamsTests(ScratchMode mode) : IDisposable
{
    private readonly StoreFixture _store = new(mode);

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void ChangedFileKeepsTheParentsAlternateDataStreams()
    {
        string path = _store.PathOf("base");
        using (ILayerWriter writer = _store.Store.NewLayerWriter(path, []))
        {
            writer.Add("Files", StoreFixture.DirInfo);
            writer.Add(@"Files\win.ini", StoreFixture.FileInfo);
            writer.Write(StoreFixture.FileStream("old content"u8.ToArray(), ("Zone.Identifier", "[ZoneTransfer]\r\nZoneId=3\r\n"u8.ToArray())));
            writer.Commit();
        }

        string mount = _store.Mount("s", "base");
        File.WriteAllText(Path.Combine(mount, "win.ini"), "[changed]\n");
        using ILayerReader reader = _store.Store.NewLayerReader(_store.PathOf("s"), [path]);
        Assert.Equal("Files", reader.Next()!.Name);
        Assert.Equal(@"Files\win.ini", reader.Next()!.Name);
        var content = new MemoryStream();
        var buffer = new byte[3];
        int n;
        while ((n = reader.Read(buffer)) > 0)
        {
            content.Write(buffer, 0, n);
        }

        Assert.Equal(StoreFixture.FileStream("[changed]\n"u8.ToArray(), ("Zone.Identifier", "[ZoneTransfer]\r\nZoneId=3\r\n"u8.ToArray())), content.ToArray());
    }
}
