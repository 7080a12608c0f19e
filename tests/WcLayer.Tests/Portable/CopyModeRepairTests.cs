using WcLayer.Portable;

namespace WcLayer.Tests.Portable;

/// <summary>
/// Issue 9's "a killed mount leaves a scratch that the next call repairs", in the copy modes: the view is built in a
/// hidden folder and renamed into place whole, so what a killed copy left is swept by the next prepare.
/// </summary>
public sealed class CopyModeRepairTests : IDisposable
{
    private readonly StoreFixture _store = new(ScratchMode.Copy);

    public void Dispose() => _store.Dispose();

    [Fact]
    public void A_prepare_killed_mid_copy_is_repaired_by_the_next_one()
    {
        _store.Layer("base", [], "d:dir", "f:dir/a.txt=a", "f:b.txt=b");
        string scratch = _store.PathOf("s");
        _store.Store.CreateScratchLayer(scratch, [_store.PathOf("base")]);
        _store.Store.ActivateLayer(scratch);

        // What a copy killed at two moments leaves: a hidden half view, and a whole view renamed into place before
        // the layer's state said so; with a canary outside that a removal following links would empty.
        string canary = Directory.CreateDirectory(_store.PathOf("canary")).FullName;
        File.WriteAllText(Path.Combine(canary, "keep.txt"), "keep");
        string half = Directory.CreateDirectory(Path.Combine(scratch, ".mount.wclayer-tmp-0123456789ab")).FullName;
        File.WriteAllText(Path.Combine(half, "a.txt"), "partial");
        Directory.CreateSymbolicLink(Path.Combine(half, "out"), canary);
        string mount = Path.Combine(scratch, "mount");
        File.WriteAllText(Path.Combine(mount, "b.txt"), "stale");
        Directory.CreateSymbolicLink(Path.Combine(mount, "out"), canary);

        _store.Store.PrepareLayer(scratch, []);

        Assert.Equal(mount, _store.Store.GetLayerMountPath(scratch));
        Assert.Equal(
            new SortedDictionary<string, string>(StringComparer.Ordinal) { ["b.txt"] = "b", ["dir"] = "/", [Path.Combine("dir", "a.txt")] = "a" },
            StoreFixture.View(mount));
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch, ".mount.*"));
        Assert.Equal("keep", File.ReadAllText(Path.Combine(canary, "keep.txt")));
        Assert.Equal(ScratchMode.Copy, _store.Store.GetScratchMode(scratch));

        _store.Store.UnprepareLayer(scratch);
        _store.Store.DeactivateLayer(scratch);
    }
}
