namespace WcLayer.Transport;

/// <summary>
/// Buffers small writes (backup stream headers) in front of one file at a time, reusing one buffer for every file
/// of a layer: a <see cref="BufferedStream"/> per file would allocate its buffer again for each of thousands of
/// small files.
/// </summary>
internal sealed class ReusableBufferedWriter : WriteOnlyStream
{
    private readonly byte[] _buffer;
    private Stream? _target;
    private int _count;

    public ReusableBufferedWriter(int size) => _buffer = new byte[size];

    /// <summary>Starts writing to <paramref name="target"/>; the previous target must have been flushed.</summary>
    public void Attach(Stream target)
    {
        if (_count != 0)
        {
            throw new InvalidOperationException("The previous file was not flushed.");
        }

        _target = target;
    }

    /// <summary>Flushes and stops writing to the current file (which the caller disposes).</summary>
    public void Detach()
    {
        Flush();
        _target = null;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Stream target = _target ?? throw new InvalidOperationException("No file to write to.");
        if (buffer.Length > _buffer.Length - _count)
        {
            Flush();
            if (buffer.Length >= _buffer.Length)
            {
                target.Write(buffer);
                return;
            }
        }

        buffer.CopyTo(_buffer.AsSpan(_count));
        _count += buffer.Length;
    }

    public override void Flush()
    {
        if (_count > 0)
        {
            _target!.Write(_buffer, 0, _count);
            _count = 0;
        }
    }

    /// <summary>Drops what is buffered and stops writing to the current file (it failed and is removed).</summary>
    public void Discard()
    {
        _count = 0;
        _target = null;
    }
}
