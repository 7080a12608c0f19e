using WcLayer.Portable;
using WcLayer.Oci;
using WcLayer.Tests.Oci;
using WcLayer.Tests.Support;

namespace WcLayer.Tests.Portable;

/// <summary>The scenarios of containerd's snapshot test suite that apply to Windows layers, on the portable store.</summary>
public sealed class SnapshotScenarioTestsOverlay() : SnapshotScenarioTests(ScratchMode.Overlay);

public sealed class SnapshotScenarioTestsCopy() : SnapshotScenarioTests(ScratchMode.Copy);

/// <summary>On a btrfs loop device, where the view's files share their data with the parents' (FICLONE).</summary>
public sealed class SnapshotScenarioTestsReflink() : SnapshotScenarioTests(ScratchMode.Reflink);

public abstract class SnapshotScenarioTests(ScratchMode mode) : IDisposable
{
    private readonly StoreFixture _store = new(mode);

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void ChainMergesBaseChildAndGrandchild()
    {
        _store.Layer("base", [], "d:Windows", "f:Windows/win.ini=base", "f:keep.txt=keep");
        _store.Layer("child", ["base"], "d:Windows", "f:Windows/win.ini=child", "f:child.txt=c");
        _store.Layer("grandchild", ["child", "base"], "f:grand.txt=g");
        string mount = _store.Mount("scratch", "grandchild", "child", "base");
        Assert.Equal(new Dictionary<string, string>
        {
            ["Windows"] = "/",
            ["Windows/win.ini"] = "child",
            ["child.txt"] = "c",
            ["grand.txt"] = "g",
            ["keep.txt"] = "keep",
        }, StoreFixture.View(mount));
    }

    [Fact]
    public void DeletionsAcrossLayersAndReAdding()
    {
        _store.Layer("base", [], "d:a", "f:a/b=1", "f:a/c=2", "d:gone", "f:gone/x=3");
        _store.Layer("child", ["base"], "w:a/b", "w:gone");
        _store.Layer("grandchild", ["child", "base"], "d:a", "f:a/b=again");
        Assert.Equal(new Dictionary<string, string> { ["a"] = "/", ["a/c"] = "2" }, StoreFixture.View(_store.Mount("s1", "child", "base")));
        Assert.Equal(new Dictionary<string, string> { ["a"] = "/", ["a/b"] = "again", ["a/c"] = "2" }, StoreFixture.View(_store.Mount("s2", "grandchild", "child", "base")));
    }

    [Fact]
    public void DirectoryReplacedByFileAndBack()
    {
        _store.Layer("base", [], "d:d", "f:d/x=x");
        _store.Layer("child", ["base"], "w:d", "f:d=now a file");
        _store.Layer("grandchild", ["child", "base"], "w:d", "d:d", "f:d/y=y");
        Assert.Equal(new Dictionary<string, string> { ["d"] = "now a file" }, StoreFixture.View(_store.Mount("s1", "child", "base")));
        Assert.Equal(new Dictionary<string, string> { ["d"] = "/", ["d/y"] = "y" }, StoreFixture.View(_store.Mount("s2", "grandchild", "child", "base")));
    }

    [Fact]
    public void HardLinksWithinAndAcrossLayers()
    {
        _store.Layer("base", [], "f:f=content", "l:same=f");
        _store.Layer("child", ["base"], "l:g=f");
        string mount = _store.Mount("s", "child", "base");
        Assert.Equal("content", File.ReadAllText(Path.Combine(mount, "g")));
        Assert.Equal("content", File.ReadAllText(Path.Combine(mount, "same")));
        // Cross-layer link: the child's transport file is the parent's, linked.
        Assert.Equal(File.ReadAllBytes(Path.Combine(_store.PathOf("base"), "Files", "f")), File.ReadAllBytes(Path.Combine(_store.PathOf("child"), "Files", "g")));
    }

    [Fact]
    public void ChainOf128Layers()
    {
        var parents = new List<string>();
        for (int i = 0; i < 128; i++)
        {
            string name = "l" + i;
            _store.Layer(name, [.. parents], "f:file" + i + "=" + i, "f:top=" + i);
            parents.Insert(0, name);
        }

        SortedDictionary<string, string> view = StoreFixture.View(_store.Mount("s", [.. parents]));
        Assert.Equal(129, view.Count);
        Assert.Equal("127", view["top"]);
        Assert.Equal("0", view["file0"]);
    }

    [Fact]
    public async Task LargeFileAndManySmallFilesThroughTars()
    {
        var random = new Random(7);
        byte[] big = new byte[24 << 20];
        random.NextBytes(big);
        using var writer = new MemoryLayerWriter();
        writer.Add("Files", StoreFixture.DirInfo);
        writer.Add("Files\\big.bin", StoreFixture.FileInfo);
        writer.Write(StoreFixture.FileStream(big));
        writer.Add("Files\\many", StoreFixture.DirInfo);
        for (int i = 0; i < 3000; i++)
        {
            writer.Add($"Files\\many\\f{i:D4}", StoreFixture.FileInfo);
            writer.Write(StoreFixture.FileStream([(byte)i, (byte)(i >> 8)]));
        }

        writer.Commit();
        byte[] tar = await LayerRoundTripTests.ExportAsync(writer.Committed!);
        string path = _store.PathOf("big");
        long size = await OciLayer.ImportLayerFromTarAsync(new MemoryStream(tar), path, [], _store.Store);
        Assert.Equal(big.Length + 3000 * 2, size);

        var exported = new MemoryStream();
        await OciLayer.ExportLayerToTarAsync(exported, path, [], _store.Store);
        Assert.Equal(tar, exported.ToArray());

        string mount = _store.Mount("s", "big");
        Assert.Equal(big, await File.ReadAllBytesAsync(Path.Combine(mount, "big.bin")));
        Assert.Equal(3000, Directory.GetFiles(Path.Combine(mount, "many")).Length);
    }
}
