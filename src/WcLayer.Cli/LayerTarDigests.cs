namespace WcLayer.Cli;

/// <summary>
/// The two digests of a layer tar, as OCI names them: the blob's (the bytes as stored, compressed or not) and the
/// diff id (the uncompressed tar's). Equal when the tar is not compressed.
/// </summary>
internal sealed class LayerTarDigests
{
    /// <summary>The bytes as read or written.</summary>
    public DigestingStream? Blob { get; set; }

    /// <summary>The uncompressed tar.</summary>
    public DigestingStream? Tar { get; set; }

    /// <summary>Writes <c>digest</c>, <c>size</c> and <c>diffId</c>.</summary>
    /// <param name="json">The object being written.</param>
    public void WriteTo(System.Text.Json.Utf8JsonWriter json)
    {
        if (Blob is not null)
        {
            json.WriteString("digest", Blob.Digest);
            json.WriteNumber("size", Blob.Count);
        }

        if (Tar is not null)
        {
            json.WriteString("diffId", Tar.Digest);
        }
    }
}
