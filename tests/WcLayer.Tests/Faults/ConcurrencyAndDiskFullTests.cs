using System.Collections.Concurrent;
using System.Diagnostics;
using WcLayer.Oci;
using WcLayer.Portable;
using WcLayer.Tests.Portable;
using WcLayer.Tests.Support;

namespace WcLayer.Tests.Faults;

/// <summary>
/// Parallel and racing operations on one store, and a full disk: only the documented errors, every surviving layer
/// whole, nothing left behind (issue 8's fault-injection suite).
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ConcurrencyAndDiskFullTests
{
    private static readonly int[] ExpectedRaceErrors =
    [
        Win32Error.PathNotFound, Win32Error.FileNotFound, Win32Error.AlreadyExists, Win32Error.Busy,
        Win32Error.SharingViolation, Win32Error.NotReady, Win32Error.DirNotEmpty,
    ];

    private static byte[] SmallTar(int files, int size = 1024)
    {
        using var writer = new MemoryLayerWriter();
        writer.Add("Files", StoreFixture.DirInfo);
        for (int i = 0; i < files; i++)
        {
            writer.Add($"Files\\f{i:D4}", StoreFixture.FileInfo);
            writer.Write(StoreFixture.FileStream(new byte[size]));
        }

        writer.Commit();
        return Oci.LayerRoundTripTests.ExportAsync(writer.Committed!).GetAwaiter().GetResult();
    }

    [Fact]
    public async Task Twenty_parallel_imports_into_one_store_all_land_whole()
    {
        using var store = new FaultStore(SmallTar(200));
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            OciLayer.ImportLayerFromTarAsync(new MemoryStream(store.Tar), store[$"layer{i}"], [], store.Store))));

        for (int i = 0; i < 20; i++)
        {
            await store.AssertExportsAsTarAsync(store[$"layer{i}"], $"layer{i}");
            store.Store.DestroyLayer(store[$"layer{i}"]);
        }

        store.AssertOnlyUserFilesLeft("after 20 parallel imports");
    }

    /// <summary>In the automatic mode (overlay, as root) and in copy mode, whose prepare copies the parents while others race.</summary>
    [Theory]
    [InlineData(ScratchMode.Auto)]
    [InlineData(ScratchMode.Copy)]
    public async Task Racing_import_remove_export_and_mount_on_one_store_give_only_documented_errors(ScratchMode mode)
    {
        using var store = new FaultStore(SmallTar(100), mode: mode);
        string[] layers = [store["a"], store["b"]];
        string scratch = store["s"];
        var unexpected = new ConcurrentQueue<Exception>();
        var outcomes = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));

        async Task WorkerAsync(int seed)
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                string layer = layers[random.Next(layers.Length)];
                string operation = random.Next(7) switch
                {
                    0 => "import",
                    1 => "remove",
                    2 => "export",
                    3 => "create",
                    4 => "mount",
                    5 => "unmount",
                    _ => "remove-scratch",
                };
                try
                {
                    switch (operation)
                    {
                        case "import":
                            await OciLayer.ImportLayerFromTarAsync(new MemoryStream(store.Tar), layer, [], store.Store);
                            break;
                        case "remove":
                            store.Store.DestroyLayer(layer);
                            break;
                        case "export":
                            var exported = new MemoryStream();
                            await OciLayer.ExportLayerToTarAsync(exported, layer, [], store.Store);
                            if (!store.Tar.AsSpan().SequenceEqual(exported.ToArray()))
                            {
                                unexpected.Enqueue(new InvalidDataException($"{layer} exported differently while others raced"));
                            }

                            break;
                        case "create":
                            store.Store.CreateScratchLayer(scratch, [layer]);
                            break;
                        case "mount":
                            store.Store.ActivateLayer(scratch);
                            store.Store.PrepareLayer(scratch, []);
                            break;
                        case "unmount":
                            store.Store.UnprepareLayer(scratch);
                            store.Store.DeactivateLayer(scratch);
                            break;
                        default:
                            store.Store.DestroyLayer(scratch);
                            break;
                    }

                    outcomes.AddOrUpdate(operation + " ok", 1, (_, c) => c + 1);
                }
                catch (HcsException e) when (Array.IndexOf(ExpectedRaceErrors, e.ErrorCode) >= 0)
                {
                    outcomes.AddOrUpdate($"{operation} 0x{e.ErrorCode:x}", 1, (_, c) => c + 1);
                }
                catch (Exception e)
                {
                    unexpected.Enqueue(new InvalidOperationException($"{operation} {Path.GetFileName(layer)}: {e.GetType().Name}: {e.Message}", e));
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => WorkerAsync(i))));

        Assert.True(unexpected.IsEmpty, string.Join(Environment.NewLine, unexpected.Select(e => e.Message).Distinct().Take(10)));
        Assert.Contains(outcomes.Keys, k => k == "import ok");
        Assert.Contains(outcomes.Keys, k => k == "export ok");

        if (store.Store.LayerExists(scratch))
        {
            store.Store.UnprepareLayer(scratch);
            store.Store.DeactivateLayer(scratch);
            store.Store.DestroyLayer(scratch);
        }

        foreach (string layer in layers.Where(store.Store.LayerExists))
        {
            await store.AssertExportsAsTarAsync(layer, "after the race");
            store.Store.DestroyLayer(layer);
        }

        store.AssertOnlyUserFilesLeft("after the race");
    }

    [Fact]
    public async Task A_full_disk_fails_each_command_cleanly_and_keeps_existing_layers()
    {
        if (!Commands.CanMount)
        {
            return; // a small tmpfs needs root; CI runs as root, so there this always runs
        }

        string mountPoint = Directory.CreateTempSubdirectory("wclayer-full-").FullName;
        string tars = Directory.CreateTempSubdirectory("wclayer-full-tars-").FullName;
        Commands.Run("mount", "-t", "tmpfs", "-o", "size=4m", "wclayer-full", mountPoint);
        try
        {
            byte[] small = SmallTar(20);
            byte[] big = SmallTar(1500, 4096);
            string smallTar = Path.Combine(tars, "small.tar");
            string bigTar = Path.Combine(tars, "big.tar");
            await File.WriteAllBytesAsync(smallTar, small);
            await File.WriteAllBytesAsync(bigTar, big);
            var store = new FaultStore(small, Path.Combine(mountPoint, "store"));
            File.Delete(store.TarPath); // the tars live on another disk

            (int code, string error) = await CliProcess.RunAsync("import", "-i", smallTar, store["small"]);
            Assert.True(code == 0, error);

            (code, error) = await CliProcess.RunAsync("import", "-i", bigTar, store["big"]);
            Assert.Equal(1, code);
            Assert.Contains("tar entry 'Files/", error, StringComparison.Ordinal);
            Assert.Contains("space", error, StringComparison.Ordinal);
            Assert.DoesNotContain(".wclayer-tmp-", error, StringComparison.Ordinal);
            Assert.Single(error.TrimEnd().Split('\n'));
            Assert.False(store.Store.LayerExists(store["big"]));
            Assert.Equal(["small"], Directory.EnumerateFileSystemEntries(store.Root).Select(Path.GetFileName));
            await store.AssertExportsAsTarAsync(store["small"], "after a full-disk import");

            // Fill what is left, then every command that must write fails with one line and leaves nothing.
            string filler = Path.Combine(mountPoint, "filler");
            await using (var fill = File.Create(filler))
            {
                byte[] chunk = new byte[64 * 1024];
                try
                {
                    while (true)
                    {
                        fill.Write(chunk);
                        fill.Flush();
                    }
                }
                catch (IOException)
                {
                }
            }

            foreach (string[] args in new[]
            {
                new[] { "create", "-l", store["small"], store["scratch"] },
                ["import", "-i", smallTar, store["again"]],
                ["export", "-o", Path.Combine(store.Root, "out.tar"), store["small"]],
            })
            {
                (code, error) = await CliProcess.RunAsync(args);
                if (code != 0)
                {
                    Assert.Single(error.TrimEnd().Split('\n'));
                    Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
                }
            }

            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(store.Root).Select(Path.GetFileName), n => n!.StartsWith('.'));
            await store.AssertExportsAsTarAsync(store["small"], "with the disk full");

            File.Delete(filler);
            foreach (string layer in new[] { "scratch", "again", "small" }.Select(n => store[n]).Where(store.Store.LayerExists))
            {
                store.Store.DestroyLayer(layer);
            }
        }
        finally
        {
            Commands.Run("umount", mountPoint);
            Directory.Delete(mountPoint, recursive: true);
            Directory.Delete(tars, recursive: true);
        }
    }
}
