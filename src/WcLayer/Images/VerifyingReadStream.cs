using System.Security.Cryptography;

namespace WcLayer.Images;

/// <summary>
/// Hashes what is read through it and, at the end of the inner stream, checks the digest (and the size when known):
/// the one-pass check of a blob or of a layer's <c>diff_id</c>.
/// </summary>
internal sealed class VerifyingReadStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly Digest _expected;
    private readonly long? _expectedSize;
    private readonly string _what;
    private readonly IncrementalHash _hash;
    private bool _verified;

    /// <param name="inner">The content.</param>
    /// <param name="expected">The digest it must have.</param>
    /// <param name="expectedSize">The size it must have, if known (a longer stream fails as soon as it is longer).</param>
    /// <param name="what">Names the content in messages: <c>layer 2 (sha256:…)</c>.</param>
    public VerifyingReadStream(Stream inner, Digest expected, long? expectedSize, string what)
    {
        _inner = inner;
        _expected = expected;
        _expectedSize = expectedSize;
        _what = what;
        _hash = expected.CreateHash();
    }

    /// <summary>The number of bytes read so far.</summary>
    public long BytesRead { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        int read = _inner.Read(buffer);
        Account(buffer[..read], buffer.Length);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..read], buffer.Length);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Reads the rest of the stream (a tar's trailing padding, say) and checks the digest.</summary>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>A task that completes once the content is verified.</returns>
    /// <exception cref="InvalidDataException">The content does not match.</exception>
    public async Task VerifyToEndAsync(CancellationToken cancellationToken)
    {
        byte[] scratch = new byte[1 << 16];
        while (await ReadAsync(scratch, cancellationToken).ConfigureAwait(false) > 0)
        {
        }

        if (!_verified)
        {
            throw new InvalidDataException($"{_what}: the content could not be read to its end.");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Account(ReadOnlySpan<byte> data, int requested)
    {
        BytesRead += data.Length;
        _hash.AppendData(data);
        if (_expectedSize is { } size && BytesRead > size)
        {
            throw new InvalidDataException($"{_what}: longer than the {size} bytes its descriptor gives.");
        }

        if (data.Length == 0 && requested > 0 && !_verified)
        {
            Verify();
        }
    }

    private void Verify()
    {
        if (_expectedSize is { } size && BytesRead != size)
        {
            throw new InvalidDataException($"{_what}: {BytesRead} bytes, but its descriptor gives {size}.");
        }

        Digest actual = _expected.WithHash(_hash.GetHashAndReset());
        if (actual != _expected)
        {
            throw new InvalidDataException($"{_what}: the content's digest is {actual}, not {_expected}: the image is corrupt or was tampered with.");
        }

        _verified = true;
    }
}
