using System.IO.Pipelines;
using WcLayer.Oci;

namespace WcLayer.Cli;

/// <summary>
/// A layer read as the tar <c>wclayer export</c> would write, produced in-process through a pipe: lets the tar
/// listing show a layer folder without a second listing implementation and without a temporary file.
/// </summary>
internal sealed class LayerTarPipe : Stream
{
    // Room for a few large entries, so the producer and the reader rarely wait for each other.
    private const long PauseWriterThreshold = 4 << 20;

    private readonly Stream _tar;
    private readonly Task _producer;
    private readonly CancellationTokenSource _stop;
    private bool _disposed;

    private LayerTarPipe(Stream tar, Task producer, CancellationTokenSource stop)
    {
        _tar = tar;
        _producer = producer;
        _stop = stop;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Starts writing <paramref name="layer"/> as a tar; a failure surfaces to the reader of the returned stream.</summary>
    /// <param name="layer">The layer; the pipe owns and disposes it.</param>
    /// <param name="cancellationToken">Stops the producer.</param>
    /// <returns>The tar bytes.</returns>
    public static Stream Open(ILayerReader layer, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PauseWriterThreshold, resumeWriterThreshold: PauseWriterThreshold / 2, useSynchronizationContext: false));
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task producer = Task.Run(() => ProduceAsync(layer, pipe.Writer, stop.Token), CancellationToken.None);
        return new LayerTarPipe(pipe.Reader.AsStream(), producer, stop);
    }

    public override int Read(byte[] buffer, int offset, int count) => _tar.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _tar.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _tar.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _tar.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

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

    private static async Task ProduceAsync(ILayerReader layer, PipeWriter writer, CancellationToken cancellationToken)
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
            // Handed to the reader: its next read throws it, so the listing reports the layer's error.
            failure = e;
        }

        await writer.CompleteAsync(failure);
    }
}
