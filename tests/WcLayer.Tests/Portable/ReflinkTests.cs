using System.Diagnostics;
using WcLayer.Portable;

namespace WcLayer.Tests.Portable;

/// <summary>Runs where an XFS file system with reflinks can be made on a loop device: root, <c>mkfs.xfs</c> (Debian's <c>xfsprogs</c>, installed by CI).</summary>
public sealed class ReflinkFactAttribute : FactAttribute
{
    public ReflinkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            return; // CI installs xfsprogs and runs as root: a missing tool must fail there, not skip.
        }

        if (!OperatingSystem.IsLinux() || Interop.Libc.geteuid() != 0)
        {
            Skip = "reflink mode needs a file system with FICLONE; the test makes an XFS loop device, which needs root on Linux";
        }
        else if (!File.Exists("/sbin/mkfs.xfs") && !File.Exists("/usr/sbin/mkfs.xfs"))
        {
            Skip = "reflink mode needs a file system with FICLONE; the test makes an XFS loop device with mkfs.xfs (apt-get install xfsprogs)";
        }
    }
}

/// <summary>An XFS file system with reflinks on a loop device in a temporary folder, unmounted and removed on dispose.</summary>
public sealed class XfsVolume : IDisposable
{
    public XfsVolume()
    {
        Folder = Directory.CreateTempSubdirectory("wclayer-xfs-").FullName;
        string image = Path.Combine(Folder, "xfs.img");
        using (var file = new FileStream(image, FileMode.CreateNew))
        {
            file.SetLength(320L << 20);
        }

        MountPoint = Directory.CreateDirectory(Path.Combine(Folder, "m")).FullName;
        Run("mkfs.xfs", "-q", "-m", "reflink=1", image);
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

/// <summary>The reflink mode on a real XFS file system: the scratch layer's view shares its data with the parents.</summary>
public sealed class ReflinkTests
{
    [ReflinkFact]
    public void AReflinkScratchLayerMountsAndDiffsLikeTheOthers()
    {
        using var volume = new XfsVolume();
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
