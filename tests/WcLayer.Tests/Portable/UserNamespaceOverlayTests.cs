using System.Diagnostics;
using WcLayer.Tests.Cli;
using WcLayer.Tests.Support;

namespace WcLayer.Tests.Portable;

/// <summary>
/// Runs where an unprivileged user namespace with its own mount namespace can be made (<c>unshare --user
/// --map-root-user --mount</c>; Linux 5.11+ lets it mount overlayfs). CI runs as root on such a kernel: there it
/// must not skip.
/// </summary>
public sealed class UserNamespaceFactAttribute : FactAttribute
{
    /// <param name="asRootToo">The test also does something as root (outside the namespace).</param>
    public UserNamespaceFactAttribute(bool asRootToo = false)
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            return;
        }

        if (!OperatingSystem.IsLinux())
        {
            Skip = "user namespaces are Linux's";
            return;
        }

        if (asRootToo && Interop.Libc.geteuid() != 0)
        {
            Skip = "the test imports layers as root first";
            return;
        }

        using Process? probe = Process.Start(new ProcessStartInfo("unshare", ["--user", "--map-root-user", "--mount", "true"]) { RedirectStandardError = true });
        probe?.WaitForExit();
        if (probe is not { ExitCode: 0 })
        {
            Skip = "this kernel or its settings (kernel.unprivileged_userns_clone, AppArmor) do not allow unprivileged user namespaces";
        }
    }
}

/// <summary>
/// Issue 9's overlay mode for users without root: as an unprivileged user (uid 65534 when the tests run as root),
/// root of a user namespace that owns its mount namespace, as rootless container tools run. Import writes whiteouts
/// and <c>user.overlay.opaque</c> marks (<c>trusted.*</c> is not allowed there), the scratch layer is an overlay
/// mounted with <c>userxattr</c>, and the diff reads the marks that mount writes. Each script runs in one namespace,
/// since its mounts go with it.
/// </summary>
public sealed class UserNamespaceOverlayTests : IDisposable
{
    private const int Nobody = 65534;
    private readonly string _folder;

    public UserNamespaceOverlayTests()
    {
        _folder = Directory.CreateTempSubdirectory("wclayer-userns-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // The unprivileged user writes here; the folder is the test's own, removed on dispose.
            File.SetUnixFileMode(_folder, (UnixFileMode)0x1FF);
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [UserNamespaceFact]
    public async Task AnUnprivilegedUserImportsStacksAndExportsInOverlayMode()
    {
        await WriteTarsAsync();
        CliResult result = await RunInUserNamespaceAsync("""
            wclayer import -i base.tar base
            wclayer import -l base -i child.tar child
            wclayer create -l child -l base s
            wclayer mount s 2> mode.txt
            ls s/mount/dir > dir.txt
            ls s/mount > top.txt
            echo new > s/mount/new.txt
            rm s/mount/keep.txt
            wclayer export -o out.tar s
            wclayer unmount s
            """);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("overlay", await ReadAsync("mode.txt"), StringComparison.Ordinal);
        // The child's opaque directory hides the base's files in it; its whiteout hides gone.txt.
        Assert.Equal(["c.txt"], await ReadLinesAsync("dir.txt"));
        Assert.Equal(["dir", "keep.txt"], await ReadLinesAsync("top.txt"));
        Assert.Equal(
            ["Files", "Files/.wh.keep.txt", "Files/new.txt"],
            (await LayerTars.DescribeAsync(await File.ReadAllBytesAsync(Path.Combine(_folder, "out.tar")))).Select(d => d.Split(' ')[0]));

        string scratch = await ReadAsync(Path.Combine("s", "wclayer.json"));
        Assert.Contains("\"overlayUserXattr\": true", scratch, StringComparison.Ordinal);
        string child = await ReadAsync(Path.Combine("child", "wclayer.json"));
        Assert.Contains("\"stackable\": false", child, StringComparison.Ordinal);
        Assert.Contains("\"stackableWithUserXattr\": true", child, StringComparison.Ordinal);
    }

    [UserNamespaceFact(asRootToo: true)]
    public async Task LayersImportedAsRootStackForAnUnprivilegedUser()
    {
        await WriteTarsAsync();
        // Imported as root (trusted.* and user.* marks), then handed to the user: a prepared scratch records itself in its parents.
        CliResult imported = await CliProcess.RunScriptAsync($"wclayer import -i base.tar base && wclayer import -l base -i child.tar child && chown -R {Nobody}:{Nobody} base child", _folder);
        Assert.True(imported.ExitCode == 0, imported.ToString());

        CliResult result = await RunInUserNamespaceAsync("""
            wclayer create -l child -l base s
            wclayer mount s 2> mode.txt
            ls s/mount/dir > dir.txt
            ls s/mount > top.txt
            wclayer unmount s
            """);
        Assert.True(result.ExitCode == 0, result + (File.Exists(Path.Combine(_folder, "mode.txt")) ? await ReadAsync("mode.txt") : string.Empty));
        Assert.Contains("overlay", await ReadAsync("mode.txt"), StringComparison.Ordinal);
        Assert.Equal(["c.txt"], await ReadLinesAsync("dir.txt"));
        Assert.Equal(["dir", "keep.txt"], await ReadLinesAsync("top.txt"));
    }

    [UserNamespaceFact(asRootToo: true)]
    public async Task StackingOnLayersTheUserMayNotWriteSaysSoAndKeepsThemUnchanged()
    {
        await WriteTarsAsync();
        CliResult imported = await CliProcess.RunScriptAsync("wclayer import -i base.tar base", _folder);
        Assert.True(imported.ExitCode == 0, imported.ToString());

        CliResult result = await RunInUserNamespaceAsync("""
            wclayer create -l base s
            wclayer mount s || { if mountpoint -q s/mount; then echo still mounted; fi; exit 3; }
            """);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("may not write in", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("still mounted", result.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "base", ".wclayer-holds")));
        Assert.False(Directory.EnumerateFileSystemEntries(Path.Combine(_folder, "s", "mount")).Any());
    }

    [UserNamespaceFact(asRootToo: true)]
    public async Task A_layer_whose_links_root_imported_is_not_exported_without_their_metadata()
    {
        // The base layer of the sample has symbolic links and junctions: as root they become links whose metadata is
        // in trusted.* attributes, which a user namespace cannot read.
        await File.WriteAllBytesAsync(Path.Combine(_folder, "base.tar"), await LayerTars.CreateBaseAsync());
        CliResult imported = await CliProcess.RunScriptAsync($"wclayer import -i base.tar base && chown -R {Nobody}:{Nobody} base", _folder);
        Assert.True(imported.ExitCode == 0, imported.ToString());

        CliResult result = await RunInUserNamespaceAsync("wclayer export -o out.tar base");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("trusted.*", result.Error, StringComparison.Ordinal);
        Assert.Contains("read the layer as root", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "out.tar")));
    }

    /// <summary>base.tar: <c>dir/a.txt</c>, <c>dir/b.txt</c>, <c>gone.txt</c>, <c>keep.txt</c>; child.tar deletes <c>dir</c> and makes it again with <c>c.txt</c>, and deletes <c>gone.txt</c>.</summary>
    private async Task WriteTarsAsync()
    {
        var parent = new MemoryLayerWriter();
        parent.Add("Files", StoreFixture.DirInfo);
        parent.Add(@"Files\dir", StoreFixture.DirInfo);
        foreach (string name in new[] { @"Files\dir\a.txt", @"Files\dir\b.txt", @"Files\gone.txt", @"Files\keep.txt" })
        {
            parent.Add(name, StoreFixture.FileInfo);
            parent.Write(StoreFixture.FileStream("x"u8.ToArray()));
        }

        parent.Commit();
        var child = new MemoryLayerWriter();
        child.Remove(@"Files\dir");
        child.Add("Files", StoreFixture.DirInfo);
        child.Add(@"Files\dir", StoreFixture.DirInfo);
        child.Add(@"Files\dir\c.txt", StoreFixture.FileInfo);
        child.Write(StoreFixture.FileStream("c"u8.ToArray()));
        child.Remove(@"Files\gone.txt");
        child.Commit();
        foreach ((string name, MemoryLayer layer) in new[] { ("base.tar", parent.Committed!), ("child.tar", child.Committed!) })
        {
            await using FileStream tar = File.Create(Path.Combine(_folder, name));
            await WcLayer.Oci.OciLayer.WriteTarFromLayerAsync(layer.OpenReader(), tar);
        }
    }

    /// <summary>Runs a script, each line of which must succeed, as root of a new user and mount namespace: as uid 65534 when the tests run as root.</summary>
    private Task<CliResult> RunInUserNamespaceAsync(string script)
    {
        string functions = $"wclayer() {{ {CliProcess.Command} \"$@\"; }}\nset -e\n";
        string inner = $"unshare --user --map-root-user --mount sh -c {CliProcess.Quote(functions + script)}";
        string outer = Interop.Libc.geteuid() == 0
            ? $"setpriv --reuid={Nobody} --regid={Nobody} --clear-groups env HOME={CliProcess.Quote(_folder)} DOTNET_CLI_HOME={CliProcess.Quote(_folder)} {inner}"
            : inner;
        return CliProcess.RunScriptAsync(outer, _folder);
    }

    private Task<string> ReadAsync(string name) => File.ReadAllTextAsync(Path.Combine(_folder, name));

    private async Task<string[]> ReadLinesAsync(string name) => (await File.ReadAllLinesAsync(Path.Combine(_folder, name))).Where(l => l.Length > 0).ToArray();
}
