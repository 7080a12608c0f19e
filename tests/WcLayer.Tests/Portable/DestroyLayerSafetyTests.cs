using WcLayer.Portable;

using WcLayer.Tests.Support;

namespace WcLayer.Tests.Portable;

/// <summary>
/// <c>DestroyLayer</c> deletes a layer of this store and nothing else. Every test runs on decoys in a fresh temporary
/// folder (a plain folder with a canary, links to a canary folder outside the store): never on a system path.
/// </summary>
public sealed class DestroyLayerSafetyTests : IDisposable
{
    private const string Operation = "hcsshim::DestroyLayer";

    private readonly StoreFixture _store = new();
    private readonly string _outside;
    private readonly string _canaryFolder;
    private readonly string _canaryFile;

    public DestroyLayerSafetyTests()
    {
        // The canaries live beside the store, never inside it: a removal that escapes the store reaches them.
        _outside = Directory.CreateTempSubdirectory("wclayer-canary-").FullName;
        _canaryFolder = Path.Combine(_outside, "precious");
        Directory.CreateDirectory(Path.Combine(_canaryFolder, "sub"));
        _canaryFile = Path.Combine(_canaryFolder, "sub", "canary.txt");
        File.WriteAllText(_canaryFile, "still here");
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_outside, recursive: true);
    }

    private void AssertCanaryIntact()
    {
        Assert.True(File.Exists(_canaryFile), "the canary file outside the store was deleted");
        Assert.Equal("still here", File.ReadAllText(_canaryFile));
    }

    private HcsException AssertRefused(int code, string path)
    {
        var e = Assert.Throws<HcsException>(() => _store.Store.DestroyLayer(path));
        Assert.Equal(code, e.ErrorCode);
        Assert.Equal(Operation, e.Operation);
        return e;
    }

    [Fact]
    public void A_plain_folder_with_files_is_refused_and_kept()
    {
        string junk = _store.PathOf("junk");
        Directory.CreateDirectory(Path.Combine(junk, "Files"));
        File.WriteAllText(Path.Combine(junk, "Files", "keep.txt"), "mine");

        HcsException e = AssertRefused(Win32Error.InvalidParameter, junk);

        Assert.Contains("not a layer", e.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was deleted", e.Message, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(junk, "Files", "keep.txt")));
    }

    [Fact]
    public void A_folder_whose_marker_is_not_ours_is_refused()
    {
        string other = _store.PathOf("other");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, LayerMetadata.FileName), """{"format":"something-else","version":1}""");
        File.WriteAllText(Path.Combine(other, "data"), "x");

        AssertRefused(Win32Error.InvalidParameter, other);

        Assert.True(File.Exists(Path.Combine(other, "data")));
    }

    [Fact]
    public void A_link_to_a_folder_outside_is_refused_and_its_target_untouched()
    {
        string link = _store.PathOf("link");
        File.CreateSymbolicLink(link, _canaryFolder);

        HcsException e = AssertRefused(Win32Error.ReparsePointEncountered, link);
        AssertRefused(Win32Error.ReparsePointEncountered, link + "/");

        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        AssertCanaryIntact();
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    [Fact]
    public void A_link_to_a_real_layer_is_refused_and_the_layer_kept()
    {
        string layer = _store.Layer("base", [], "f:a=1");
        string link = _store.PathOf("alias");
        File.CreateSymbolicLink(link, layer);

        AssertRefused(Win32Error.ReparsePointEncountered, link);

        Assert.True(_store.Store.LayerExists(layer));
    }

    [Fact]
    public void A_file_is_refused_and_kept()
    {
        string file = _store.PathOf("file.txt");
        File.WriteAllText(file, "keep");

        AssertRefused(Win32Error.InvalidParameter, file);

        Assert.Equal("keep", File.ReadAllText(file));
    }

    [Fact]
    public void A_marker_that_is_a_link_or_a_fifo_is_refused_without_hanging()
    {
        string real = _store.Layer("base", [], "f:a=1");
        string linked = _store.PathOf("linked");
        Directory.CreateDirectory(linked);
        File.WriteAllText(Path.Combine(linked, "data"), "x");
        File.CreateSymbolicLink(Path.Combine(linked, LayerMetadata.FileName), Path.Combine(real, LayerMetadata.FileName));
        string piped = _store.PathOf("piped");
        Directory.CreateDirectory(piped);
        MakeFifo(Path.Combine(piped, LayerMetadata.FileName));

        AssertRefused(Win32Error.InvalidParameter, linked);
        AssertRefused(Win32Error.InvalidParameter, piped);

        Assert.True(File.Exists(Path.Combine(linked, "data")));
        Assert.True(_store.Store.LayerExists(real));
    }

    [Fact]
    public void A_layer_with_links_inside_pointing_out_is_removed_without_following_them()
    {
        string layer = _store.Layer("base", [], "d:dir", "f:dir/a=1");
        File.CreateSymbolicLink(Path.Combine(layer, "Files", "dir", "escape"), _canaryFolder);
        File.CreateSymbolicLink(Path.Combine(layer, "Files", "file-escape"), _canaryFile);
        File.CreateSymbolicLink(Path.Combine(layer, "top-escape"), _canaryFolder);

        _store.Store.DestroyLayer(layer);

        Assert.False(Directory.Exists(layer));
        Assert.False(_store.Store.LayerExists(layer));
        AssertCanaryIntact();
        Assert.Empty(Directory.EnumerateFileSystemEntries(_store.Root, ".*"));
    }

    [Fact]
    public void A_missing_layer_is_not_an_error()
    {
        _store.Store.DestroyLayer(_store.PathOf("never-was"));
        Assert.False(Directory.Exists(_store.PathOf("never-was")));
    }

    [Fact]
    public void A_layer_that_a_prepared_scratch_stacks_on_is_busy_until_unprepared()
    {
        string base0 = _store.Layer("base", [], "f:a=1");
        string child = _store.Layer("child", ["base"], "f:b=2");
        _store.Mount("s", "child", "base");
        string scratch = _store.PathOf("s");

        foreach (string parent in new[] { base0, child })
        {
            HcsException e = AssertRefused(Win32Error.Busy, parent);
            Assert.Contains(scratch, e.Message, StringComparison.Ordinal);
            Assert.True(_store.Store.LayerExists(parent));
        }

        _store.Store.UnprepareLayer(scratch);
        _store.Store.DestroyLayer(child);

        Assert.False(_store.Store.LayerExists(child));
        Assert.True(_store.Store.LayerExists(base0));
    }

    [Fact]
    public void Destroying_the_scratch_releases_its_parents()
    {
        string base0 = _store.Layer("base", [], "f:a=1");
        _store.Mount("s", "base");
        string scratch = _store.PathOf("s");
        _store.Store.UnprepareLayer(scratch);
        _store.Store.PrepareLayer(scratch, [base0]);
        _store.Store.DeactivateLayer(scratch);

        _store.Store.DestroyLayer(scratch);
        _store.Store.DestroyLayer(base0);

        Assert.Empty(Directory.EnumerateFileSystemEntries(_store.Root));
    }

    [Fact]
    public void A_hold_left_by_a_killed_process_keeps_nothing_busy()
    {
        string base0 = _store.Layer("base", [], "f:a=1");
        string scratch = _store.PathOf("gone-scratch");
        ScratchHolds.Add(base0, scratch); // the scratch it names does not exist

        _store.Store.DestroyLayer(base0);

        Assert.False(Directory.Exists(base0));
    }

    [Fact]
    public void Trash_left_by_a_killed_removal_is_never_a_layer_and_is_swept()
    {
        // What a removal killed after its rename leaves: the whole layer under a hidden trash name.
        string layer = _store.Layer("victim", [], "f:a=1");
        string trash = Path.Combine(_store.Root, ".victim" + HiddenSibling.TrashMarker + "0123456789ab");
        Directory.Move(layer, trash);
        File.CreateSymbolicLink(Path.Combine(trash, "escape"), _canaryFolder);
        string other = _store.Layer("other", [], "f:b=2");

        Assert.False(_store.Store.LayerExists(layer));
        Assert.Equal("""{"Images":[]}""", _store.Store.GetSharedBaseImages());
        _store.Store.DestroyLayer(other);

        Assert.False(Directory.Exists(trash));
        AssertCanaryIntact();
        Assert.Empty(Directory.EnumerateFileSystemEntries(_store.Root));
    }

    [Fact]
    public void A_leftover_named_like_ours_that_is_a_link_is_unlinked_not_followed()
    {
        string leftover = Path.Combine(_store.Root, ".base" + HiddenSibling.TemporaryMarker + "0123456789ab");
        File.CreateSymbolicLink(leftover, _canaryFolder);

        _store.Layer("base", [], "f:a=1");

        Assert.False(File.Exists(leftover) || Directory.Exists(leftover));
        AssertCanaryIntact();
    }

    [Fact]
    public void The_root_and_a_home_or_a_folder_holding_it_are_refused_before_anything_else()
    {
        // Only the pure check runs against these paths: no removal is ever attempted on a real system path.
        string decoyHome = Path.Combine(_store.Root, "home", "user");
        Assert.Throws<HcsException>(() => LayerRemoval.RefuseProtectedPath(Path.GetPathRoot(_store.Root)!, Operation, []));
        Assert.Throws<HcsException>(() => LayerRemoval.RefuseProtectedPath(decoyHome, Operation, [decoyHome]));
        Assert.Throws<HcsException>(() => LayerRemoval.RefuseProtectedPath(Path.Combine(_store.Root, "home"), Operation, [decoyHome + "/"]));
        LayerRemoval.RefuseProtectedPath(Path.Combine(decoyHome, "layers", "x"), Operation, [decoyHome]);
        LayerRemoval.RefuseProtectedPath(Path.Combine(_store.Root, "hom"), Operation, [decoyHome]);
    }

    [Fact]
    public void A_file_system_mounted_inside_a_layer_is_busy_and_a_mounted_layer_folder_is_refused()
    {
        if (!Commands.CanMount)
        {
            return; // mounting needs root; CI runs as root, so there this always runs
        }

        string layer = _store.Layer("base", [], "d:dir", "f:dir/a=1");
        string mountPoint = Path.Combine(layer, "Files", "dir");
        string mountedLayer = _store.PathOf("mounted");
        Directory.CreateDirectory(mountedLayer);
        Commands.Run("mount", "-t", "tmpfs", "-o", "size=1m", "wclayer-test", mountPoint);
        try
        {
            File.WriteAllText(Path.Combine(mountPoint, "on-the-mount"), "keep");
            Commands.Run("mount", "-t", "tmpfs", "-o", "size=1m", "wclayer-test", mountedLayer);
            try
            {
                File.Copy(Path.Combine(layer, LayerMetadata.FileName), Path.Combine(mountedLayer, LayerMetadata.FileName));
                File.WriteAllText(Path.Combine(mountedLayer, "data"), "keep");

                HcsException inside = AssertRefused(Win32Error.Busy, layer);
                HcsException root = AssertRefused(Win32Error.InvalidParameter, mountedLayer);

                Assert.Contains(mountPoint, inside.Message, StringComparison.Ordinal);
                Assert.Contains("mounted", root.Message, StringComparison.Ordinal);
                Assert.Equal("keep", File.ReadAllText(Path.Combine(mountPoint, "on-the-mount")));
                Assert.True(File.Exists(Path.Combine(layer, "Files", "dir", "on-the-mount")));
                Assert.True(File.Exists(Path.Combine(mountedLayer, "data")));
            }
            finally
            {
                Commands.Run("umount", mountedLayer);
            }
        }
        finally
        {
            Commands.Run("umount", mountPoint);
        }

        _store.Store.DestroyLayer(layer);
        Assert.False(Directory.Exists(layer));
    }

    private static void MakeFifo(string path) => Commands.Run("mkfifo", path);
}
