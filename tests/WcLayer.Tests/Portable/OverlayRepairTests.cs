using WcLayer.Portable;

namespace WcLayer.Tests.Portable;

/// <summary>The kernel, not the recorded state, says whether an overlay is mounted: a reboot or a killed mount or unmount is repaired by the next call.</summary>
public sealed class OverlayRepairTests : IDisposable
{
    private readonly StoreFixture _store = new(ScratchMode.Overlay);

    public void Dispose() => _store.Dispose();

    [Fact]
    public void AfterAnUnmountBehindTheStoresBackPrepareMountsAgainWithTheChanges()
    {
        _store.Layer("base", [], "f:a=1");
        string mount = _store.Mount("s", "base");
        File.WriteAllText(Path.Combine(mount, "b"), "2");
        Assert.Equal(0, umount2(mount, 0)); // as a reboot would

        Assert.Throws<HcsException>(() => _store.Store.GetLayerMountPath(_store.PathOf("s")));
        _store.Store.PrepareLayer(_store.PathOf("s"), []);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, StoreFixture.View(_store.Store.GetLayerMountPath(_store.PathOf("s"))));
    }

    [Fact]
    public void UnprepareAfterAKilledUnmountAndPrepareAfterAKilledPrepareComplete()
    {
        _store.Layer("base", [], "f:a=1");
        string mount = _store.Mount("s", "base");
        Assert.Equal(0, umount2(mount, 0)); // killed after unmounting, before recording it
        _store.Store.UnprepareLayer(_store.PathOf("s"));
        _store.Store.PrepareLayer(_store.PathOf("s"), []);
        _store.Store.PrepareLayer(_store.PathOf("s"), []); // mounted already: nothing to do
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, StoreFixture.View(mount));
        _store.Store.DeactivateLayer(_store.PathOf("s"));
        Assert.False(OverlayMount.IsMounted(_store.PathOf("s")));
    }

    [Fact]
    public void DestroyUnmountsALeftoverOverlayInsteadOfDeletingThroughIt()
    {
        string layer = _store.Layer("base", [], "f:a=1");
        string scratch = _store.PathOf("s");
        _store.Mount("s", "base");

        // State recorded as deactivated while the overlay stayed mounted (a process killed in between).
        string json = Path.Combine(scratch, "wclayer.json");
        File.WriteAllText(json, File.ReadAllText(json).Replace("\"activated\": true", "\"activated\": false", StringComparison.Ordinal).Replace("\"prepared\": true", "\"prepared\": false", StringComparison.Ordinal));
        Assert.True(OverlayMount.IsMounted(scratch));

        _store.Store.DestroyLayer(scratch);
        Assert.False(Directory.Exists(scratch));
        Assert.Equal("1", File.ReadAllText(Path.Combine(layer, "Files", "a")));
    }

    private static int umount2(string target, int flags) => Interop.Libc.umount2(target, flags);
}
