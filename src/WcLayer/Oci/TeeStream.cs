namespace WcLayer.Oci;

/// <summary>A write-only stream that writes everything to two streams (the layer and a pristine backup of a mutated file).</summary>
internal sealed class TeeStream(Stream first, Stream second) : WriteOnlyStream
{
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        first.Write(buffer);
        second.Write(buffer);
    }

    public override void Flush()
    {
        first.Flush();
        second.Flush();
    }
}
