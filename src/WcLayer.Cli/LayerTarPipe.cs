using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using WcLayer.Oci;

namespace WcLayer.Cli;

/// <summary>
/// A layer read as the tar <c>wclayer export</c> would write, produced in-process through a pipe: lets the tar
/// listing show a layer folder without a second listing implementation and without a temporary file.
/// </summary>
internal sealed class LayerTarPipe : ReadOnlyStream
{
    // Room for a few large entries, so the producer and the reader rarely wait for each other.
    private const long PauseWriterThreshold = 4 << 20;

    private readonly Stream _tar;
    private readonly Task<Exception?> _producer;
    private readonly CancellationTokenSource _stop;
    private bool _disposed;

    private LayerTarPipe(Stream tar, Task<Exception?> producer, CancellationTokenSource stop)
    {
        _tar = tar;
        _producer = producer;
        _stop = stop;
    }

    /// <summary>Starts writing <paramref name="layer"/> as a tar; a failure is thrown to the reader of the returned stream where the written part ends.</summary>
    /// <param name="layer">The layer; the pipe owns and disposes it.</param>
    /// <param name="cancellationToken">Stops the producer.</param>
    /// <returns>The tar bytes.</returns>
    public static Stream Open(ILayerReader layer, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PauseWriterThreshold, resumeWriterThreshold: PauseWriterThreshold / 2, useSynchronizationContext: false));
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<Exception?> producer = Task.Run(() => ProduceAsync(layer, pipe.Writer, stop.Token), CancellationToken.None);
        return new LayerTarPipe(pipe.Reader.AsStream(), producer, stop);
    }

    public override int Read(Span<byte> buffer)
    {
        int read = _tar.Read(buffer);
        if (read == 0 && !buffer.IsEmpty)
        {
            ThrowIfFailed(_producer.GetAwaiter().GetResult());
        }

        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _tar.ReadAsync(buffer, cancellationToken);
        if (read == 0 && !buffer.IsEmpty)
        {
            ThrowIfFailed(await _producer);
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        // The tar reader disposes its stream too; the second call must find nothing to do.
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // A reader that stops early must not leave the producer (and the layer it holds open) running.
        await _stop.CancelAsync();
        await _tar.DisposeAsync();
        await _producer;
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    // The failure surfaces where the tar ends, not at once: the reader first gets every entry written before it.
    private static void ThrowIfFailed(Exception? failure)
    {
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private static async Task<Exception?> ProduceAsync(ILayerReader layer, PipeWriter writer, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            using (layer)
            {
                await using Stream tar = writer.AsStream(leaveOpen: true);
                await OciLayer.WriteTarFromLayerAsync(layer, tar, progress: null, cancellationToken);
                await tar.FlushAsync(cancellationToken);
            }
        }
        catch (Exception e)
        {
            // Handed to the reader at the end of what was written, so the listing reports the layer's error.
            failure = e;
        }

        await writer.CompleteAsync();
        return failure;
    }
}
