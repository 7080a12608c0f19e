using System.Diagnostics;
using WcLayer.Portable;

namespace WcLayer.Tests.Portable;

/// <summary>
/// Runs where a file system with reflinks can be made on a loop device: root, and <c>mkfs.xfs</c> or <c>mkfs.btrfs</c>
/// (Debian's <c>xfsprogs</c>, <c>btrfs-progs</c>; CI installs both).
/// </summary>
public sealed class ReflinkFactAttribute : FactAttribute
{
    /// <param name="fileSystem"><c>xfs</c> or <c>btrfs</c>.</param>
    public ReflinkFactAttribute(string fileSystem)
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            return; // CI installs the tools and runs as root: a missing tool must fail there, not skip.
        }

        if (!OperatingSystem.IsLinux() || Interop.Libc.geteuid() != 0)
        {
            Skip = $"reflink mode needs a file system with FICLONE; the test makes a {fileSystem} loop device, which needs root on Linux";
        }
        else if (!File.Exists($"/sbin/mkfs.{fileSystem}") && !File.Exists($"/usr/sbin/mkfs.{fileSystem}"))
        {
            Skip = $"reflink mode needs a file system with FICLONE; the test makes a {fileSystem} loop device with mkfs.{fileSystem} (apt-get install {(fileSystem == "xfs" ? "xfsprogs" : "btrfs-progs")})";
        }
    }
}

/// <summary>A file system with reflinks (XFS or btrfs) on a loop device in a temporary folder, unmounted and removed on dispose.</summary>
public sealed class ReflinkVolume : IDisposable
{
    /// <param name="fileSystem"><c>xfs</c> or <c>btrfs</c>.</param>
    public ReflinkVolume(string fileSystem)
    {
        Folder = Directory.CreateTempSubdirectory($"wclayer-{fileSystem}-").FullName;
        string image = Path.Combine(Folder, fileSystem + ".img");
        using (var file = new FileStream(image, FileMode.CreateNew))
        {
            file.SetLength(320L << 20);
        }

        MountPoint = Directory.CreateDirectory(Path.Combine(Folder, "m")).FullName;
        if (fileSystem == "xfs")
        {
            Run("mkfs.xfs", "-q", "-m", "reflink=1", image);
        }
        else
        {
            Run("mkfs.btrfs", "-q", image);
        }

        Run("mount", "-o", "loop", image, MountPoint);
    }

    public string Folder { get; }

    public string MountPoint { get; }

    public void Dispose()
    {
        MountCleanup.UnmountAll(Path.Combine(MountPoint, "store"));
        Run("umount", MountPoint);
        Directory.Delete(Folder, recursive: true);
    }

    private static void Run(string file, params string[] arguments)
    {
        using Process process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        }
    }
}

/// <summary>The reflink mode on real XFS and btrfs file systems: the scratch layer's view shares its data with the parents.</summary>
public sealed class ReflinkTests
{
    [ReflinkFact("xfs")]
    public void AReflinkScratchLayerMountsAndDiffsLikeTheOthersOnXfs() => AReflinkScratchLayerMountsAndDiffsLikeTheOthers("xfs");

    [ReflinkFact("btrfs")]
    public void AReflinkScratchLayerMountsAndDiffsLikeTheOthersOnBtrfs() => AReflinkScratchLayerMountsAndDiffsLikeTheOthers("btrfs");

    private static void AReflinkScratchLayerMountsAndDiffsLikeTheOthers(string fileSystem)
    {
        using var volume = new ReflinkVolume(fileSystem);
        using (var store = new StoreFixture(ScratchMode.Reflink, volume.MountPoint))
        {
            store.Layer("base", [], "d:Windows", "f:Windows/win.ini=base", "f:Windows/old.txt=old");
            store.Layer("child", ["base"], "d:Windows", "f:Windows/new.ini=child", "w:Windows/old.txt");
            string mount = store.Mount("s", "child", "base");
            Assert.Equal(ScratchMode.Reflink, store.Store.GetScratchMode(store.PathOf("s")));
            Assert.Equal(new Dictionary<string, string> { ["Windows"] = "/", ["Windows/new.ini"] = "child", ["Windows/win.ini"] = "base" }, StoreFixture.View(mount));

            File.WriteAllText(Path.Combine(mount, "Windows", "win.ini"), "changed");
            var names = new List<string>();
            using (ILayerReader reader = store.Store.NewLayerReader(store.PathOf("s"), []))
            {
                while (reader.Next() is { } entry)
                {
                    names.Add(entry.Name);
                }
            }

            Assert.Equal(["Files", @"Files\Windows", @"Files\Windows\win.ini"], names);

            // The parent is untouched: the clone got its own copy of the changed extents.
            Assert.Equal("base", File.ReadAllText(Path.Combine(store.PathOf("base"), "Files", "Windows", "win.ini")));
        }
    }

    [Fact]
    public void ReflinkModeWhereTheFileSystemCannotIsAnErrorSayingWhy()
    {
        using var store = new StoreFixture(ScratchMode.Reflink);
        store.Layer("base", [], "f:a=1");
        if (CopyView.CanReflink(store.Root, store.PathOf("base")))
        {
            return; // this temporary folder's file system has reflinks: nothing to refuse
        }

        var e = Assert.Throws<HcsException>(() => store.Mount("s", "base"));
        Assert.Contains("FICLONE", e.Message, StringComparison.Ordinal);
    }
}
