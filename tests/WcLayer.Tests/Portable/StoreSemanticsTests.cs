using System.Diagnostics;
using WcLayer.Oci;
using WcLayer.Portable;
using WcLayer.Win32;

namespace WcLayer.Tests.Portable;

/// <summary>The errors HCS gives for misuse, layer state, atomicity and concurrency of the portable store.</summary>
public sealed class StoreSemanticsTests : IDisposable
{
    private readonly StoreFixture _store = new();

    public void Dispose() => _store.Dispose();

    private static void AssertCode(int code, Action action, string? operation = null)
    {
        var e = Assert.Throws<HcsException>(action);
        Assert.Equal(code, e.ErrorCode);
        if (operation is not null)
        {
            Assert.Equal(operation, e.Operation);
        }
    }

    [Fact]
    public void MissingLayersAndParentsArePathNotFound()
    {
        PortableLayerStore s = _store.Store;
        AssertCode(Win32Error.PathNotFound, () => s.ActivateLayer(_store.PathOf("nope")), "hcsshim::ActivateLayer");
        AssertCode(Win32Error.PathNotFound, () => s.NewLayerWriter(_store.PathOf("child"), [_store.PathOf("nope")]).Dispose());
        AssertCode(Win32Error.PathNotFound, () => s.CreateScratchLayer(_store.PathOf("s"), [_store.PathOf("nope")]));
        var e = Assert.Throws<HcsException>(() => s.ActivateLayer(_store.PathOf("nope")));
        Assert.Equal($"hcsshim::ActivateLayer failed in Win32: The system cannot find the path specified. (0x3): {_store.PathOf("nope")}", e.Message);
        Assert.False(s.LayerExists(_store.PathOf("nope")));
    }

    [Fact]
    public void ExistingTargetsAreAlreadyExists()
    {
        _store.Layer("base", [], "f:a=1");
        AssertCode(Win32Error.AlreadyExists, () => _store.Layer("base", [], "f:a=1"));
        AssertCode(Win32Error.AlreadyExists, () => _store.Store.CreateScratchLayer(_store.PathOf("base"), []));
        Directory.CreateDirectory(_store.PathOf("busy"));
        File.WriteAllText(Path.Combine(_store.PathOf("busy"), "x"), "not a layer");
        AssertCode(Win32Error.DirNotEmpty, () => _store.Layer("busy", [], "f:a=1"));
        // An existing empty folder is fine: hcsshim creates it before importing.
        Directory.CreateDirectory(_store.PathOf("empty"));
        _store.Layer("empty", [], "f:a=1");
        Assert.True(_store.Store.LayerExists(_store.PathOf("empty")));
    }

    [Fact]
    public void ScratchLifecycleMisuse()
    {
        _store.Layer("base", [], "f:a=1");
        PortableLayerStore s = _store.Store;
        string scratch = _store.PathOf("s");
        s.CreateScratchLayer(scratch, [_store.PathOf("base")]);
        AssertCode(Win32Error.NotReady, () => s.PrepareLayer(scratch, [_store.PathOf("base")]), "hcsshim::PrepareLayer");
        AssertCode(Win32Error.NotReady, () => s.GetLayerMountPath(scratch));
        s.ActivateLayer(scratch);
        s.PrepareLayer(scratch, [_store.PathOf("base")]);
        Assert.Equal(Path.Combine(scratch, "mount"), s.GetLayerMountPath(scratch));
        AssertCode(Win32Error.Busy, () => s.DestroyLayer(scratch), "hcsshim::DestroyLayer");
        s.UnprepareLayer(scratch);
        s.DeactivateLayer(scratch);
        Assert.Equal(_store.PathOf("base"), s.GetLayerMountPath(_store.PathOf("base")));
        s.DestroyLayer(scratch);
        Assert.False(Directory.Exists(scratch));
    }

    [Fact]
    public void NameToGuidNeedsAFunctionAndUsesTheBaseName()
    {
        Assert.Throws<PlatformNotSupportedException>(() => _store.Store.NameToGuid("x"));
        Assert.Throws<PlatformNotSupportedException>(() => _store.Store.LayerId("/layers/x"));
        Assert.Throws<PlatformNotSupportedException>(() => _store.Store.GrantVmAccess("vm", "/x.vhdx"));
        var names = new List<string>();
        var store = new PortableLayerStore(new PortableLayerStoreOptions { NameToGuid = n => { names.Add(n); return Guid.Empty; } });
        store.LayerId(@"C:\layers\abc");
        store.LayerId("/var/lib/layers/def");
        store.LayerId(@"C:\layers\trailing\");
        Assert.Equal(["abc", "def", ""], names);
    }

    [Fact]
    public void BaseLayerProcessingChecksTheShapeAndIsListed()
    {
        _store.Layer("notbase", [], "f:a=1");
        var e = Assert.Throws<LayerPathException>(() => _store.Store.ProcessBaseLayer(_store.PathOf("notbase")));
        Assert.Contains(@"Files\Windows\System32\config\DEFAULT", e.Message, StringComparison.Ordinal);
        _store.Layer("base", [], "d:Windows", "d:Windows/System32", "d:Windows/System32/config",
            "f:Windows/System32/config/DEFAULT=r", "f:Windows/System32/config/SAM=r", "f:Windows/System32/config/SECURITY=r",
            "f:Windows/System32/config/SOFTWARE=r", "f:Windows/System32/config/SYSTEM=r");
        _store.Store.ProcessBaseLayer(_store.PathOf("base"));
        Assert.Contains("\"Name\":\"base\"", _store.Store.GetSharedBaseImages(), StringComparison.Ordinal);
        Assert.DoesNotContain("notbase", _store.Store.GetSharedBaseImages(), StringComparison.Ordinal);
        Assert.Throws<LayerPathException>(() => _store.Store.ProcessUtilityVMImage(Path.Combine(_store.PathOf("base"), "UtilityVM")));
    }

    [Fact]
    public void ExpandScratchSizeSaysWhyItCannot()
    {
        _store.Layer("base", [], "f:a=1");
        _store.Store.CreateScratchLayer(_store.PathOf("s"), [_store.PathOf("base")]);
        Assert.Throws<PlatformNotSupportedException>(() => _store.Store.ExpandScratchSize(_store.PathOf("s"), 1 << 30));
        AssertCode(Win32Error.PathNotFound, () => _store.Store.ExpandScratchSize(_store.PathOf("none"), 1));
    }

    [Fact]
    public void AnUncommittedWriterLeavesNothing()
    {
        string path = _store.PathOf("layer");
        using (ILayerWriter writer = _store.Store.NewLayerWriter(path, []))
        {
            writer.Add("Files", StoreFixture.DirInfo);
            writer.Add(@"Files\a", StoreFixture.FileInfo);
        }

        Assert.False(_store.Store.LayerExists(path));
        Assert.Empty(Directory.GetFileSystemEntries(_store.Root));
    }

    [Fact]
    public async Task AFailedTarImportLeavesNoLayer()
    {
        byte[] tar = await TarOf("f:a=1", "f:b=2");
        string path = _store.PathOf("layer");
        await Assert.ThrowsAsync<InvalidDataException>(() => OciLayer.ImportLayerFromTarAsync(new MemoryStream(tar[..(tar.Length - 1500)]), path, [], _store.Store));
        Assert.False(_store.Store.LayerExists(path));
        Assert.Empty(Directory.GetFileSystemEntries(_store.Root));
        await OciLayer.ImportLayerFromTarAsync(new MemoryStream(tar), path, [], _store.Store);
        Assert.True(_store.Store.LayerExists(path));
    }

    [Fact]
    public async Task LayersImportInParallelAndRacingImportsLoseNothing()
    {
        byte[] tar = await TarOf("d:dir", "f:dir/a=1", "f:b=2");
        await Parallel.ForAsync(0, 8, async (i, ct) =>
            await OciLayer.ImportLayerFromTarAsync(new MemoryStream(tar), _store.PathOf("p" + i), [], _store.Store, cancellationToken: ct));
        Assert.All(Enumerable.Range(0, 8), i => Assert.True(_store.Store.LayerExists(_store.PathOf("p" + i))));

        string same = _store.PathOf("same");
        Task<long>[] racers = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(() => OciLayer.ImportLayerFromTarAsync(new MemoryStream(tar), same, [], _store.Store)))];
        Exception?[] outcomes = await Task.WhenAll(racers.Select(async t =>
        {
            try
            {
                await t;
                return null;
            }
            catch (HcsException e)
            {
                return (Exception?)e;
            }
        }));
        Assert.Single(outcomes, o => o is null);
        Assert.All(outcomes.OfType<HcsException>(), e => Assert.Contains(e.ErrorCode, new[] { Win32Error.AlreadyExists, Win32Error.SharingViolation }));
        var exported = new MemoryStream();
        await OciLayer.ExportLayerToTarAsync(exported, same, [], _store.Store);
        Assert.Equal(tar, exported.ToArray());
    }

    private async Task<byte[]> TarOf(params string[] specs)
    {
        string path = _store.PathOf("template-" + Guid.NewGuid().ToString("N"));
        _store.Layer(Path.GetFileName(path), [], specs);
        var tar = new MemoryStream();
        await OciLayer.ExportLayerToTarAsync(tar, path, [], _store.Store);
        _store.Store.DestroyLayer(path);
        return tar.ToArray();
    }
}
