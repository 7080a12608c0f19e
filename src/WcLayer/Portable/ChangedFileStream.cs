using WcLayer.Win32;

namespace WcLayer.Portable;

/// <summary>
/// The backup stream of a file changed in a scratch mount: its stored streams (security, EAs before the data;
/// alternate data streams after it) around a new data stream with the mount file's content. Sparse blocks are
/// dropped: the new content is dense. Reads the pieces in place; nothing is buffered.
/// </summary>
internal sealed class ChangedFileStream : ReadOnlyStream
{
    private readonly List<(Stream Source, long Offset, long Length)> _segments;
    private readonly FileStream _content;
    private int _segment;
    private long _segmentPosition;

    private ChangedFileStream(List<(Stream, long, long)> segments, FileStream content)
    {
        _segments = segments;
        _content = content;
    }

    /// <summary>
    /// Plans the stream from a plain file's stored metadata (its backup stream with the data bytes left out; see
    /// <see cref="Transport.PlainFileBackupWriter"/>) or <see langword="null"/>: its non-data streams around the new
    /// data. Reparse data goes too: a file whose content a user wrote is no longer a reparse point.
    /// </summary>
    public static ChangedFileStream FromMetadata(byte[]? metadata, FileStream content, string pathForMessages)
    {
        var before = new List<(Stream, long, long)>();
        var after = new List<(Stream, long, long)>();
        var source = new MemoryStream(metadata ?? [], writable: false);
        bool seenData = false;
        for (int offset = 0; metadata is not null && offset < metadata.Length;)
        {
            Transport.StoredStream stream = Transport.StoredStream.Read(metadata, offset, null, pathForMessages);
            if (stream.IsInFile)
            {
                seenData = true;
            }
            else if (stream.Id != BackupStreamId.ReparseData)
            {
                (seenData ? after : before).Add((source, stream.Offset, stream.End - stream.Offset));
            }

            offset = stream.End;
        }

        var dataHeader = new MemoryStream();
        using (var writer = new BackupStreamWriter(dataHeader, leaveOpen: true))
        {
            writer.WriteHeader(new BackupStreamHeader(BackupStreamId.Data, BackupStreamAttributes.None, content.Length));
        }

        var segments = new List<(Stream, long, long)>(before) { (dataHeader, 0, dataHeader.Length), (content, 0, content.Length) };
        segments.AddRange(after);
        return new ChangedFileStream(segments, content);
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
            _content.Dispose();
        }

        base.Dispose(disposing);
    }
}
