using System.Diagnostics;
using WcLayer.Oci;
using WcLayer.Portable;
using WcLayer.Tests.Portable;
using WcLayer.Tests.Support;
using Xunit.Abstractions;

namespace WcLayer.Tests.Faults;

/// <summary>
/// The store under attack (issue 8): every command killed with SIGKILL at random points, a full disk, parallel imports
/// and racing operations on one store. Afterwards every layer that exists exports byte-identically, every killed
/// operation retries cleanly, and nothing is left behind. Each store is a fresh temporary folder (decoys only).
/// </summary>
/// <remarks>
/// CI runs <see cref="DefaultTrials"/> kills per command (30 in all); set <c>WCLAYER_FAULT_TRIALS</c> for more, and
/// <c>WCLAYER_FAULT_SEED</c> to replay a run (each failure names its seed and delay).
/// </remarks>
[Collection(FaultCollection.Name)]
public sealed class FaultInjectionTests(ITestOutputHelper output, FaultInjectionTests.BaseTar baseTar) : IClassFixture<FaultInjectionTests.BaseTar>
{
    private const int DefaultTrials = 5;

    public static TheoryData<string> Commands => ["import", "export", "create", "mount", "unmount", "remove"];

    /// <summary>The commands whose work depends on the scratch mode (as root, the others run in overlay mode).</summary>
    public static TheoryData<string> ScratchCommands => ["create", "mount", "unmount"];

    [Theory]
    [MemberData(nameof(Commands))]
    public Task A_command_killed_at_any_point_leaves_every_layer_whole_and_retries_cleanly(string command) =>
        RunTrialsAsync(command, mode: null);

    /// <summary>The same in copy mode, whose mount copies the parents' files (a kill lands mid-copy).</summary>
    [Theory]
    [MemberData(nameof(ScratchCommands))]
    public Task A_command_killed_at_any_point_in_copy_mode_leaves_every_layer_whole_and_retries_cleanly(string command) =>
        RunTrialsAsync(command, mode: "copy");

    private async Task RunTrialsAsync(string command, string? mode)
    {
        int trials = int.TryParse(Environment.GetEnvironmentVariable("WCLAYER_FAULT_TRIALS"), out int n) ? n : DefaultTrials;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("WCLAYER_FAULT_SEED"), out int s) ? s : Environment.TickCount;
        var random = new Random(seed ^ command.GetHashCode(StringComparison.Ordinal));
        int killed = 0;
        for (int trial = 0; trial < trials; trial++)
        {
            // Spread kills over the whole run: process start-up takes the first few hundred milliseconds.
            var delay = TimeSpan.FromMilliseconds(random.Next(0, 1500));
            string context = $"{command}{(mode is null ? string.Empty : $" ({mode} mode)")}, trial {trial}, kill after {delay.TotalMilliseconds} ms (WCLAYER_FAULT_SEED={seed})";
            using var store = new FaultStore(baseTar.Bytes);
            killed += await RunTrialAsync(store, command, delay, context, mode) ? 1 : 0;
        }

        output.WriteLine($"{command}{(mode is null ? string.Empty : $" in {mode} mode")}: {trials} trials, {killed} killed mid-run, seed {seed}");
    }

    private static async Task<bool> RunTrialAsync(FaultStore store, string command, TimeSpan delay, string context, string? mode)
    {
        string base0 = store["base"];
        string scratch = store["scratch"];
        string[] mount = mode is null ? ["mount", "-l", base0, scratch] : ["mount", "--mode", mode, "-l", base0, scratch];
        bool killed;
        switch (command)
        {
            case "import":
                killed = await CliProcess.RunAndKillAsync(delay, "import", "-i", store.TarPath, store["layer"]);
                if (store.Store.LayerExists(store["layer"]))
                {
                    await store.AssertExportsAsTarAsync(store["layer"], context);
                }
                else
                {
                    Assert.False(Directory.Exists(store["layer"]), $"{context}: a killed import left a folder at the layer path");
                    await AssertSucceedsAsync(context, "import", "-i", store.TarPath, store["layer"]);
                    await store.AssertExportsAsTarAsync(store["layer"], context);
                }

                break;

            case "export":
                store.ImportBase();
                killed = await CliProcess.RunAndKillAsync(delay, "export", "-o", store["out.tar"], base0);
                byte[]? written = File.Exists(store["out.tar"]) ? await File.ReadAllBytesAsync(store["out.tar"]) : null;
                Assert.True(written is null || store.Tar.AsSpan().SequenceEqual(written), $"{context}: a partial tar was left at the output's name");
                await store.AssertExportsAsTarAsync(base0, context);

                // The next export to the same name removes the hidden temporary a SIGKILL can leave.
                await AssertSucceedsAsync(context, "export", "-o", store["out.tar"], base0);
                Assert.Equal(store.Tar, await File.ReadAllBytesAsync(store["out.tar"]));
                Assert.Empty(Directory.EnumerateFiles(store.Root, ".out.tar.wclayer-tmp-*"));
                break;

            case "create":
                store.ImportBase();
                killed = await CliProcess.RunAndKillAsync(delay, "create", "-l", base0, scratch);
                if (!store.Store.LayerExists(scratch))
                {
                    await AssertSucceedsAsync(context, "create", "-l", base0, scratch);
                }

                await AssertSucceedsAsync(context, mount);
                await AssertSucceedsAsync(context, "unmount", scratch);
                break;

            case "mount":
                store.ImportBase();
                await AssertSucceedsAsync(context, "create", "-l", base0, scratch);
                killed = await CliProcess.RunAndKillAsync(delay, mount);
                await AssertSucceedsAsync(context, mount);
                Assert.True(File.Exists(Path.Combine(store.Store.GetLayerMountPath(scratch), "f0000")), $"{context}: the mount lacks the base's files");
                AssertMode(context, scratch, mode);
                await AssertSucceedsAsync(context, "unmount", scratch);
                break;

            case "unmount":
                store.ImportBase();
                await AssertSucceedsAsync(context, "create", "-l", base0, scratch);
                await AssertSucceedsAsync(context, mount);
                killed = await CliProcess.RunAndKillAsync(delay, "unmount", scratch);
                await AssertSucceedsAsync(context, "unmount", scratch);
                break;

            case "remove":
                store.ImportBase();
                killed = await CliProcess.RunAndKillAsync(delay, "remove", base0);
                if (store.Store.LayerExists(base0))
                {
                    await store.AssertExportsAsTarAsync(base0, context);
                }

                await AssertSucceedsAsync(context, "remove", base0);
                Assert.False(Directory.Exists(base0), $"{context}: the layer folder is still there");
                break;

            default:
                throw new ArgumentException(command);
        }

        // Every trial ends with its layers removed through the CLI and nothing else left in the store.
        if (store.Store.LayerExists(scratch))
        {
            await AssertSucceedsAsync(context, "remove", scratch);
        }

        foreach (string layer in new[] { store["layer"], base0 })
        {
            if (store.Store.LayerExists(layer))
            {
                await AssertSucceedsAsync(context, "remove", layer);
            }
        }

        store.AssertOnlyUserFilesLeft(context);
        return killed;
    }

    private static void AssertMode(string context, string scratch, string? mode)
    {
        string recorded = File.ReadAllText(Path.Combine(scratch, "wclayer.json"));
        Assert.True(mode is null || recorded.Contains($"\"mode\": \"{mode}\"", StringComparison.Ordinal), $"{context}: the scratch layer is not in {mode} mode: {recorded}");
    }

    private static async Task AssertSucceedsAsync(string context, params string[] args)
    {
        (int exitCode, string error) = await CliProcess.RunAsync(args);
        Assert.True(exitCode == 0, $"{context}: 'wclayer {string.Join(' ', args)}' failed after the kill: {error}");
    }

    /// <summary>A base layer tar of 1 500 small files (about 6 MiB), made once for the class.</summary>
    public sealed class BaseTar
    {
        public BaseTar()
        {
            using var writer = new MemoryLayerWriter();
            writer.Add("Files", StoreFixture.DirInfo);
            for (int i = 0; i < 1500; i++)
            {
                writer.Add($"Files\\f{i:D4}", StoreFixture.FileInfo);
                writer.Write(StoreFixture.FileStream(new byte[4096]));
            }

            writer.Commit();
            Bytes = Oci.LayerRoundTripTests.ExportAsync(writer.Committed!).GetAwaiter().GetResult();
        }

        public byte[] Bytes { get; }
    }
}

/// <summary>Fault tests start many processes: they run one class at a time, not beside each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection
{
    public const string Name = "Fault injection";
}

/// <summary>A fresh store folder with the base tar in it; disposing unmounts anything a killed process left mounted.</summary>
public sealed class FaultStore : IDisposable
{
    public FaultStore(byte[] tar, string? root = null, ScratchMode mode = ScratchMode.Auto)
    {
        Root = root ?? Directory.CreateTempSubdirectory("wclayer-fault-").FullName;
        Directory.CreateDirectory(Root);
        Tar = tar;
        TarPath = Path.Combine(Root, "base.tar");
        File.WriteAllBytes(TarPath, tar);
        Store = new PortableLayerStore(new PortableLayerStoreOptions { LockTimeout = TimeSpan.FromSeconds(20), ScratchMode = mode });
    }

    public string Root { get; }

    public byte[] Tar { get; }

    public string TarPath { get; }

    public PortableLayerStore Store { get; }

    public string this[string name] => Path.Combine(Root, name);

    public void ImportBase() =>
        OciLayer.ImportLayerFromTarAsync(new MemoryStream(Tar), this["base"], [], Store).GetAwaiter().GetResult();

    public async Task AssertExportsAsTarAsync(string layer, string context)
    {
        var exported = new MemoryStream();
        await OciLayer.ExportLayerToTarAsync(exported, layer, [], Store);
        Assert.True(Tar.AsSpan().SequenceEqual(exported.ToArray()), $"{context}: {Path.GetFileName(layer)} no longer exports byte-identically");
    }

    /// <summary>Only the user's own files (tars given or written) remain: no layer, no hidden leftover, no lock file.</summary>
    public void AssertOnlyUserFilesLeft(string context)
    {
        string[] left = [.. Directory.EnumerateFileSystemEntries(Root).Select(Path.GetFileName).Where(n => !n!.EndsWith(".tar", StringComparison.Ordinal))!];
        Assert.True(left.Length == 0, $"{context}: left behind: {string.Join(", ", left)}");
    }

    public void Dispose()
    {
        foreach (string mountPoint in MountsUnder(Root).OrderByDescending(m => m.Length))
        {
            using Process? umount = Process.Start("umount", ["-l", mountPoint]);
            umount?.WaitForExit();
        }

        Directory.Delete(Root, recursive: true);
    }

    private static IEnumerable<string> MountsUnder(string root)
    {
        if (!File.Exists("/proc/self/mountinfo"))
        {
            return [];
        }

        string prefix = Path.TrimEndingDirectorySeparator(root) + "/";
        return File.ReadLines("/proc/self/mountinfo")
            .Select(line => MountInfo.Unescape(line.Split(' ')[4]))
            .Where(m => m.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
    }
}
