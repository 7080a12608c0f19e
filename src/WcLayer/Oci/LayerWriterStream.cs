namespace WcLayer.Oci;

/// <summary>A write-only stream that forwards to <see cref="ILayerWriter.Write"/>, so a <see cref="Win32.BackupStreamWriter"/> can target a layer.</summary>
internal sealed class LayerWriterStream(ILayerWriter writer) : WriteOnlyStream
{
    public override void Write(ReadOnlySpan<byte> buffer) => writer.Write(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        writer.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}
