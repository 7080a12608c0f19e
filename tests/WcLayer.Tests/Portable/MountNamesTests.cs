using WcLayer.Portable;

namespace WcLayer.Tests.Portable;

/// <summary>Names a POSIX mount allows but a Windows layer cannot hold: a clear error from the diff, and removal still works.</summary>
public sealed class MountNamesTestsOverlay() : MountNamesTests(ScratchMode.Overlay);

public sealed class MountNamesTestsCopy() : MountNamesTests(ScratchMode.Copy);

public abstract class MountNamesTests(ScratchMode mode) : IDisposable
{
    private readonly StoreFixture _store = new(mode);

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData("x:y")]
    [InlineData("a\\b")]
    public void InvalidWindowsNamesAreReportedAndTheLayerCanStillBeRemoved(string name)
    {
        _store.Layer("base", [], "f:a=1");
        string mount = _store.Mount("s", "base");
        Directory.CreateDirectory(Path.Combine(mount, "dir"));
        File.WriteAllText(Path.Combine(mount, "dir", name), "x");

        var e = Assert.Throws<InvalidDataException>(() =>
        {
            using ILayerReader reader = _store.Store.NewLayerReader(_store.PathOf("s"), [_store.PathOf("base")]);
        });
        Assert.Contains(name, e.Message, StringComparison.Ordinal);

        _store.Store.DeactivateLayer(_store.PathOf("s"));
        _store.Store.DestroyLayer(_store.PathOf("s"));
        Assert.False(Directory.Exists(_store.PathOf("s")));
    }
}
