namespace WcLayer.Images;

/// <summary>
/// A layer's uncompressed tar, read from its blob and verified in the same pass: the blob's digest and size, and the
/// tar's <c>diff_id</c>. Verification completes only at the end of the data: call <see cref="VerifyToEndAsync"/>
/// before trusting what was read (before committing an imported layer).
/// </summary>
public sealed class LayerContent : IAsyncDisposable, IDisposable
{
    private readonly VerifyingReadStream _tar;
    private readonly VerifyingReadStream? _blob;

    internal LayerContent(VerifyingReadStream tar, VerifyingReadStream? blob)
    {
        _tar = tar;
        _blob = blob;
    }

    /// <summary>The uncompressed layer tar (forward-only). Reading past a mismatch throws <see cref="InvalidDataException"/>.</summary>
    public Stream Tar => _tar;

    /// <summary>Reads what is left (a tar's trailing padding) and checks the <c>diff_id</c> and the blob digest.</summary>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>A task that completes when the layer is verified.</returns>
    /// <exception cref="InvalidDataException">A digest or size does not match.</exception>
    public async Task VerifyToEndAsync(CancellationToken cancellationToken = default)
    {
        await _tar.VerifyToEndAsync(cancellationToken).ConfigureAwait(false);
        if (_blob is not null)
        {
            // The decompressor may stop at the end of its frame; trailing bytes still count against the digest.
            await _blob.VerifyToEndAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _tar.Dispose();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _tar.DisposeAsync();
}
