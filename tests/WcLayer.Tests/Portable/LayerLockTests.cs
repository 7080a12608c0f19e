using WcLayer.Oci;
using WcLayer.Portable;

using WcLayer.Tests.Support;

namespace WcLayer.Tests.Portable;

/// <summary>
/// Every operation holds its layers' locks for its whole duration (issue 8 item 6): readers share them, changes are
/// exclusive, and a read-only store can still be read.
/// </summary>
public sealed class LayerLockTests : IDisposable
{
    private readonly StoreFixture _store = new();

    public void Dispose() => _store.Dispose();

    private PortableLayerStore StoreWithTimeout(TimeSpan timeout) =>
        new(new PortableLayerStoreOptions { LockTimeout = timeout, BaseImagesRoot = _store.Root });

    [Fact]
    public void Remove_waits_for_an_open_reader_and_fails_if_it_is_not_released_in_time()
    {
        string base0 = _store.Layer("base", [], "f:a=1", "f:b=2");
        PortableLayerStore impatient = StoreWithTimeout(TimeSpan.FromMilliseconds(200));

        using (ILayerReader reader = _store.Store.NewLayerReader(base0, []))
        {
            Assert.NotNull(reader.Next());
            var e = Assert.Throws<HcsException>(() => impatient.DestroyLayer(base0));
            Assert.Equal(Win32Error.SharingViolation, e.ErrorCode);
            Assert.True(impatient.LayerExists(base0));
            while (reader.Next() is not null)
            {
            }
        }

        impatient.DestroyLayer(base0);
        Assert.False(impatient.LayerExists(base0));
    }

    [Fact]
    public async Task Remove_during_an_export_waits_and_the_export_is_whole()
    {
        string base0 = _store.Layer("base", [], "f:a=1", "f:b=2", "f:c=3");
        using ILayerReader reader = _store.Store.NewLayerReader(base0, []);
        Task removal = Task.Run(() => _store.Store.DestroyLayer(base0));
        await Task.Delay(300);
        Assert.False(removal.IsCompleted);

        var output = new MemoryStream();
        await OciLayer.WriteTarFromLayerAsync(reader, output);
        reader.Dispose();
        await removal;

        Assert.Equal(4, (await Cli.LayerTars.DescribeAsync(output.ToArray())).Length); // Files, a, b, c
        Assert.False(_store.Store.LayerExists(base0));
    }

    [Fact]
    public void Readers_share_the_lock_and_a_child_import_reads_its_parent_beside_them()
    {
        string base0 = _store.Layer("base", [], "f:a=1");
        PortableLayerStore impatient = StoreWithTimeout(TimeSpan.FromMilliseconds(200));

        using ILayerReader first = impatient.NewLayerReader(base0, []);
        using ILayerReader second = impatient.NewLayerReader(base0, []);
        string child = _store.Layer("child", ["base"], "f:b=2");

        Assert.NotNull(first.Next());
        Assert.NotNull(second.Next());
        Assert.True(impatient.LayerExists(child));
    }

    [Fact]
    public void A_layer_being_imported_on_a_parent_keeps_the_parent()
    {
        string base0 = _store.Layer("base", [], "f:a=1");
        PortableLayerStore impatient = StoreWithTimeout(TimeSpan.FromMilliseconds(200));

        using (ILayerWriter writer = _store.Store.NewLayerWriter(_store.PathOf("child"), [base0]))
        {
            Assert.Equal(Win32Error.SharingViolation, Assert.Throws<HcsException>(() => impatient.DestroyLayer(base0)).ErrorCode);
        }

        impatient.DestroyLayer(base0);
    }

    [Fact]
    public void Locks_leave_no_file_behind()
    {
        string base0 = _store.Layer("base", [], "f:a=1");
        using (ILayerReader a = _store.Store.NewLayerReader(base0, []))
        using (ILayerReader b = _store.Store.NewLayerReader(base0, []))
        {
            Assert.True(File.Exists(LayerLock.PathFor(base0)));
        }

        Assert.False(File.Exists(LayerLock.PathFor(base0)));
    }

    [Fact]
    public async Task A_read_only_store_is_read_without_lock_files_and_changes_say_it_is_read_only()
    {
        if (!Commands.CanMount)
        {
            return; // a read-only bind mount needs root; CI runs as root, so there this always runs
        }

        _store.Layer("base", [], "d:dir", "f:dir/a=1");
        string view = Directory.CreateTempSubdirectory("wclayer-ro-").FullName;
        Commands.Run("mount", "--bind", _store.Root, view);
        try
        {
            Commands.Run("mount", "-o", "remount,bind,ro", view);
            var readOnly = new PortableLayerStore();
            string base0 = Path.Combine(view, "base");

            var output = new MemoryStream();
            await OciLayer.ExportLayerToTarAsync(output, base0, [], readOnly);
            var e = Assert.Throws<HcsException>(() => readOnly.NewLayerWriter(Path.Combine(view, "child"), [base0]).Dispose());
            var removal = Assert.Throws<HcsException>(() => readOnly.DestroyLayer(base0));

            Assert.Equal(3, (await Cli.LayerTars.DescribeAsync(output.ToArray())).Length); // Files, dir, dir/a
            Assert.Equal(Win32Error.WriteProtect, e.ErrorCode);
            Assert.Contains("read-only file system", e.Message, StringComparison.Ordinal);
            Assert.Equal(Win32Error.WriteProtect, removal.ErrorCode);
            Assert.True(readOnly.LayerExists(base0));
            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_store.Root), p => p.EndsWith(".wclayer.lock", StringComparison.Ordinal));
        }
        finally
        {
            Commands.Run("umount", view);
            Directory.Delete(view);
        }
    }
}
