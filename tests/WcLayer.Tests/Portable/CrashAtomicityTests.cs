using System.Diagnostics;
using WcLayer.Oci;
using WcLayer.Tests.Oci;
using WcLayer.Tests.Support;

namespace WcLayer.Tests.Portable;

/// <summary>An import killed part way (a real child process, SIGKILL) leaves no layer, and a retry succeeds.</summary>
public sealed class CrashAtomicityTests : IDisposable
{
    private readonly StoreFixture _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task KilledImportLeavesNoLayerAndARetrySucceeds()
    {
        using var writer = new MemoryLayerWriter();
        writer.Add("Files", StoreFixture.DirInfo);
        for (int i = 0; i < 2000; i++)
        {
            writer.Add($"Files\\f{i:D4}", StoreFixture.FileInfo);
            writer.Write(StoreFixture.FileStream(new byte[4096]));
        }

        writer.Commit();
        byte[] tar = await LayerRoundTripTests.ExportAsync(writer.Committed!);
        string layer = _store.PathOf("layer");
        string cli = Path.Combine(AppContext.BaseDirectory, "WcLayer.Cli.dll");

        var psi = new ProcessStartInfo("dotnet", ["exec", cli, "import", "-i", "-", layer]) { RedirectStandardInput = true, RedirectStandardError = true };
        using (Process child = Process.Start(psi)!)
        {
            // Feed half the tar, wait until the child is writing the layer, then kill it without warning.
            await child.StandardInput.BaseStream.WriteAsync(tar.AsMemory(0, tar.Length / 2));
            await child.StandardInput.BaseStream.FlushAsync();
            var deadline = Stopwatch.StartNew();
            while (!Directory.EnumerateDirectories(_store.Root, ".layer.wclayer-tmp-*").Any() && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
            }

            Assert.True(Directory.EnumerateDirectories(_store.Root, ".layer.wclayer-tmp-*").Any(), "the child never started writing");
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }

        Assert.False(_store.Store.LayerExists(layer));

        await OciLayer.ImportLayerFromTarAsync(new MemoryStream(tar), layer, [], _store.Store);
        Assert.True(_store.Store.LayerExists(layer));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_store.Root), e => Path.GetFileName(e).StartsWith(".layer", StringComparison.Ordinal));
        var exported = new MemoryStream();
        await OciLayer.ExportLayerToTarAsync(exported, layer, [], _store.Store);
        Assert.Equal(tar, exported.ToArray());
    }
}
