using System.Diagnostics;
using WcLayer.Oci;

namespace WcLayer.Tests.Portable;

/// <summary>A FIFO planted in a layer folder makes reads fail at once naming it, never block forever (issue 8 item 5).</summary>
public sealed class FifoInLayerTests : IDisposable
{
    private readonly StoreFixture _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Export_of_a_layer_with_a_fifo_fails_fast_naming_it()
    {
        string layer = _store.Layer("base", [], "f:a=1");
        string fifo = Path.Combine(layer, "Files", "pipe");
        using (Process mkfifo = Process.Start("mkfifo", [fifo])!)
        {
            await mkfifo.WaitForExitAsync();
        }

        Task export = OciLayer.ExportLayerToTarAsync(new MemoryStream(), layer, [], _store.Store);
        Task finished = await Task.WhenAny(export, Task.Delay(TimeSpan.FromSeconds(20)));

        Assert.Same(export, finished);
        var e = await Assert.ThrowsAnyAsync<IOException>(() => export);
        Assert.Contains("pipe", e.Message, StringComparison.Ordinal);
    }
}
