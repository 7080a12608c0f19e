using WcLayer.Win32;

namespace WcLayer.Portable;

/// <summary>
/// The backup stream of a file changed in a scratch mount: the parent's streams (security, EAs, reparse data before
/// the data; alternate data streams after it) around a new data stream with the mount file's content. Sparse blocks
/// of the parent are dropped: the new content is dense. Reads the pieces in place; nothing is buffered.
/// </summary>
internal sealed class ChangedFileStream : ReadOnlyStream
{
    private readonly List<(Stream Source, long Offset, long Length)> _segments;
    private readonly Stream? _parent;
    private readonly FileStream _content;
    private int _segment;
    private long _segmentPosition;

    private ChangedFileStream(List<(Stream, long, long)> segments, Stream? parent, FileStream content)
    {
        _segments = segments;
        _parent = parent;
        _content = content;
    }

    /// <summary>Plans the stream; <paramref name="parent"/> is the parent entry's backup stream (seekable) or <see langword="null"/>.</summary>
    public static ChangedFileStream Create(Stream? parent, FileStream content, string pathForMessages)
    {
        var before = new List<(Stream, long, long)>();
        var after = new List<(Stream, long, long)>();
        if (parent is not null)
        {
            long start = parent.Position;
            bool seenData = false;
            using (var reader = new BackupStreamReader(parent, leaveOpen: true))
            {
                try
                {
                    // The reader skips what is left of a stream when asked for the next header, so a stream starts
                    // where the previous one's data ends, not at the reader's position before the call.
                    long headerStart = start;
                    while (true)
                    {
                        if (reader.ReadNextHeader() is not { } stream)
                        {
                            break;
                        }

                        long end = start + reader.Position + stream.Size;
                        if (stream.Id == BackupStreamId.Data)
                        {
                            seenData = true;
                        }
                        else if (stream.Id != BackupStreamId.SparseBlock)
                        {
                            (seenData ? after : before).Add((parent, headerStart, end - headerStart));
                        }

                        headerStart = end;
                    }
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"{pathForMessages}: the parent layer's entry is malformed: {e.Message}", e);
                }
            }
        }

        var header = new MemoryStream();
        using (var writer = new BackupStreamWriter(header, leaveOpen: true))
        {
            writer.WriteHeader(new BackupStreamHeader(BackupStreamId.Data, BackupStreamAttributes.None, content.Length));
        }

        var segments = new List<(Stream, long, long)>(before) { (header, 0, header.Length), (content, 0, content.Length) };
        segments.AddRange(after);
        return new ChangedFileStream(segments, parent, content);
    }

    public override int Read(Span<byte> buffer)
    {
        while (_segment < _segments.Count)
        {
            (Stream source, long offset, long length) = _segments[_segment];
            long left = length - _segmentPosition;
            if (left == 0)
            {
                _segment++;
                _segmentPosition = 0;
                continue;
            }

            source.Position = offset + _segmentPosition;
            int n = source.Read(buffer[..(int)Math.Min(buffer.Length, left)]);
            if (n == 0)
            {
                throw new InvalidDataException("A file changed size while its layer entry was read.");
            }

            _segmentPosition += n;
            return n;
        }

        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _parent?.Dispose();
            _content.Dispose();
        }

        base.Dispose(disposing);
    }
}
