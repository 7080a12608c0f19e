using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Tests.Transport;

/// <summary>hcsshim's safefile TestOpenRelative (spec 18.1.3), on the Unix seam, plus metadata and long paths.</summary>
public sealed class LayerRootTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("wclayer-root-").FullName;
    private readonly string _rootPath;
    private readonly string _badRoot;

    public LayerRootTests()
    {
        _rootPath = Path.Combine(_temp, "root");
        _badRoot = Path.Combine(_temp, "badroot");
        Directory.CreateDirectory(_rootPath);
        Directory.CreateDirectory(_badRoot);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static void AssertReparseRefused(Action action)
    {
        var e = Assert.Throws<LayerPathException>(action);
        Assert.Equal(Win32Error.ReparsePointEncountered, e.ErrorCode);
    }

    [Fact]
    public void NothingOutsideTheRootCanBeReachedThroughLinks()
    {
        using LayerRoot root = LayerRoot.Open(_rootPath);
        root.CreateFile("foo").Dispose();
        root.CreateDirectory("dir");
        root.CreateDirectories("dir/and/then/some/subdir");
        File.WriteAllText(Path.Combine(_badRoot, "badfile"), "canary");
        Directory.CreateSymbolicLink(Path.Combine(_rootPath, "dsymlink"), _badRoot);
        File.CreateSymbolicLink(Path.Combine(_rootPath, "symlink"), Path.Combine(_badRoot, "badfile"));

        AssertReparseRefused(() => root.CreateFile("dsymlink/foo").Dispose());
        AssertReparseRefused(() => root.CreateDirectories("dsymlink/and/then/some/subdir"));
        AssertReparseRefused(() => root.OpenHandle("dsymlink", directory: true).Dispose());
        AssertReparseRefused(() => root.OpenFile("symlink").Dispose());
        root.Link("foo", root, "hardlink");
        root.Link("foo", root, "dir\\bar");
        AssertReparseRefused(() => root.Link("foo", root, "dsymlink/hardlink"));
        AssertReparseRefused(() => root.Link("dsymlink/badfile", root, "bar"));
        Assert.Throws<LayerPathException>(() => root.Remove("symlink/badfile"));
        root.RemoveAll("symlink");
        root.RemoveAll("dsymlink");
        Assert.Throws<ArgumentException>(() => root.OpenFile(".."));
        Assert.Throws<ArgumentException>(() => root.CreateFile("dir/../../x"));
        Assert.Throws<ArgumentException>(() => root.CreateFile("/etc/x"));
        Assert.Throws<ArgumentException>(() => root.CreateFile("a:b"));

        Assert.Equal("canary", File.ReadAllText(Path.Combine(_badRoot, "badfile")));
        Assert.Equal(["badfile"], Directory.GetFileSystemEntries(_badRoot).Select(Path.GetFileName));
        Assert.False(File.Exists(Path.Combine(_rootPath, "symlink")) || Directory.Exists(Path.Combine(_rootPath, "dsymlink")));
        Assert.Equal(3u, root.Stat("foo")!.Value.NumberOfLinks);
        Assert.Equal(root.Stat("foo")!.Value.FileId, root.Stat("dir/bar")!.Value.FileId);
    }

    [Fact]
    public void ErrorsCarryTheWindowsCodes()
    {
        using LayerRoot root = LayerRoot.Open(_rootPath);
        root.CreateFile("a").Dispose();
        Assert.Equal(Win32Error.AlreadyExists, Assert.Throws<LayerPathException>(() => root.CreateFile("a").Dispose()).ErrorCode);
        Assert.Equal(Win32Error.PathNotFound, Assert.Throws<LayerPathException>(() => root.CreateFile("missing/a").Dispose()).ErrorCode);
        Assert.Equal(Win32Error.FileNotFound, Assert.Throws<LayerPathException>(() => root.OpenFile("nope").Dispose()).ErrorCode);
        root.CreateDirectory("d");
        root.CreateFile("d/x").Dispose();
        var notEmpty = Assert.Throws<LayerPathException>(() => root.Remove("d"));
        Assert.Equal(Win32Error.DirNotEmpty, notEmpty.ErrorCode);
        Assert.StartsWith("remove " + Path.Combine(_rootPath, "d") + ": The directory is not empty.", notEmpty.Message, StringComparison.Ordinal);
        Assert.False(root.Remove("nope"));
        Assert.Null(root.Stat("nope/deeper"));
        Assert.Equal(Win32Error.PathNotFound, Assert.Throws<LayerPathException>(() => root.CreateFile("a/b").Dispose()).ErrorCode);
        Assert.Equal(Win32Error.Directory, Assert.Throws<LayerPathException>(() => root.CreateDirectories("a/b")).ErrorCode);
    }

    [Fact]
    public void BasicInfoAndStreamsSurviveExactly()
    {
        using LayerRoot root = LayerRoot.Open(_rootPath);
        var info = new FileBasicInfo(123456789, 1, 132224078451234567, long.MaxValue, FileAttributes.Hidden | FileAttributes.ReadOnly);
        using (FileStream file = root.CreateFile("f"))
        {
            file.Write("data"u8);
            root.SetBasicInfo(file.SafeFileHandle, info, "f");
            ((UnixLayerRoot)root).SetStreams(file.SafeFileHandle, [1, 2, 3], "f");
        }

        root.Link("f", root, "g");
        using var handle = root.OpenHandle("g", directory: false);
        Assert.Equal(info, root.GetBasicInfo(handle));
        Assert.Equal(new byte[] { 1, 2, 3 }, ((UnixLayerRoot)root).GetStreams(handle, "g"));
        Assert.Equal(new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567), File.GetLastWriteTimeUtc(Path.Combine(_rootPath, "f")));

        root.CreateDirectory("d");
        using (var dir = root.OpenHandle("d", directory: true))
        {
            root.SetBasicInfo(dir, info with { FileAttributes = FileAttributes.Directory }, "d");
        }

        using var dir2 = root.OpenHandle("d", directory: true);
        Assert.Equal(FileAttributes.Directory, root.GetBasicInfo(dir2)!.Value.FileAttributes);
        Assert.Null(((UnixLayerRoot)root).GetStreams(dir2, "d"));
    }

    [Fact]
    public void PathsLongerThanPathMaxWork()
    {
        using LayerRoot root = LayerRoot.Open(_rootPath);
        string component = new('d', 200);
        string path = string.Join('/', Enumerable.Repeat(component, 25));
        Assert.True(path.Length > 4096);
        root.CreateDirectories(path);
        using (FileStream file = root.CreateFile(path + "/leaf.txt"))
        {
            file.Write("x"u8);
        }

        Assert.Equal(1, root.Stat(path + "\\leaf.txt")!.Value.Size);
        Assert.Equal([("leaf.txt", false)], root.List(path));
        root.RemoveAll(component);
        Assert.Empty(root.List(""));
    }

    [Fact]
    public async Task DirectorySwappedForALinkMidOperationNeverLeadsOut()
    {
        // One thread keeps replacing "d" by a symbolic link to the outside and back; another keeps creating files
        // through "d". Every create either lands inside the root or fails; none reaches the outside.
        using LayerRoot root = LayerRoot.Open(_rootPath);
        string d = Path.Combine(_rootPath, "d");
        string real = Path.Combine(_rootPath, "d-real");
        Directory.CreateDirectory(real);
        using var stop = new CancellationTokenSource();
        using var started = new ManualResetEventSlim();
        var swapper = Task.Run(() =>
        {
            started.Set();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    Directory.Move(real, d);
                    Thread.SpinWait(20_000);
                    Directory.Move(d, real);
                    Directory.CreateSymbolicLink(d, _badRoot);
                    Thread.SpinWait(20_000);
                    File.Delete(d);
                }
                catch (IOException)
                {
                }
            }
        });

        int created = 0;
        int refused = 0;
        started.Wait();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; clock.Elapsed < TimeSpan.FromSeconds(1.5); i++)
        {
            try
            {
                root.CreateFile("d/f" + i).Dispose();
                created++;
            }
            catch (LayerPathException)
            {
                refused++;
            }
        }

        stop.Cancel();
        await swapper;
        Assert.Empty(Directory.GetFileSystemEntries(_badRoot));
        Assert.Equal(created, Directory.GetFiles(real).Length + (Directory.Exists(d) ? Directory.GetFiles(d).Length : 0));
        Console.WriteLine($"race: {created} created inside, {refused} refused");
    }
}
