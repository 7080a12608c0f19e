using System.Buffers;
using System.Buffers.Binary;
using System.Threading.Channels;
using WcLayer.Win32;

namespace WcLayer.Benchmarks;

/// <summary>
/// An in-process pipe from an <see cref="ILayerWriter"/> to an <see cref="ILayerReader"/>: what an importer writes
/// comes out of <see cref="Reader"/> as the same layer, so tar → layer → tar can stream without a layer store.
/// </summary>
/// <remarks>
/// The two sides must run on different threads (both block). Backup stream bytes travel in pooled chunks of
/// <see cref="ChunkSize"/> through a bounded channel, so memory stays flat whatever the layer size. Every file is
/// reported with <c>NumberOfLinks = 2</c> and its own FileId, and <see cref="ILayerWriter.AddLink"/> becomes an entry
/// with the target's FileId, so the exporter writes hard links as link entries without re-reading content.
/// The main data stream's size (which <see cref="LayerEntry.Size"/> needs before any content is read) is parsed
/// from the backup stream headers that precede it; sparse data streams are not supported.
/// </remarks>
public sealed class LayerPipe
{
    public const int ChunkSize = 256 * 1024;

    private readonly Channel<Message> _channel;

    public LayerPipe(int capacity = 8)
    {
        _channel = Channel.CreateBounded<Message>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Writer = new PipeWriter(_channel.Writer);
        Reader = new PipeReader(_channel.Reader);
    }

    public PipeWriter Writer { get; }

    public PipeReader Reader { get; }

    internal enum Kind
    {
        Add,
        Data,
        Link,
        Remove,
    }

    internal sealed record Message(Kind Kind, string? Name = null, FileBasicInfo? Info = null, long Size = 0, UInt128 FileId = default, byte[]? Chunk = null, int Length = 0);

    public sealed class PipeWriter : ILayerWriter
    {
        private readonly ChannelWriter<Message> _out;
        private readonly Dictionary<string, (UInt128 Id, FileBasicInfo Info, long Size)> _files = new(StringComparer.Ordinal);
        private UInt128 _nextId = 1;
        private bool _done;

        // The entry being written: its Add message is held back until the data stream's size is known.
        private string? _name;
        private FileBasicInfo _info;
        private UInt128 _id;
        private bool _announced;
        private byte[]? _chunk;
        private int _length;

        internal PipeWriter(ChannelWriter<Message> output) => _out = output;

        public void Add(string name, FileBasicInfo info)
        {
            Finish();
            _name = name;
            _info = info;
            _id = _nextId++;
            _announced = false;
        }

        public void AddLink(string name, string target)
        {
            Finish();
            if (!_files.TryGetValue(target, out var file))
            {
                throw new InvalidOperationException($"hard link target '{target}' for '{name}' was not added to this layer");
            }

            Send(new Message(Kind.Link, name, file.Info, file.Size, file.Id));
        }

        public void Remove(string name)
        {
            Finish();
            Send(new Message(Kind.Remove, name));
        }

        public void Write(ReadOnlySpan<byte> backupStreamBytes)
        {
            if (_name is null)
            {
                throw new InvalidOperationException("Write before Add");
            }

            while (backupStreamBytes.Length > 0)
            {
                _chunk ??= ArrayPool<byte>.Shared.Rent(ChunkSize);
                if (_length == _chunk.Length)
                {
                    if (!_announced && !TryAnnounce(final: false))
                    {
                        // The data stream header is not in the first chunk yet (a huge security descriptor or EA): grow.
                        byte[] bigger = ArrayPool<byte>.Shared.Rent(_chunk.Length * 2);
                        _chunk.AsSpan(0, _length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(_chunk);
                        _chunk = bigger;
                        continue;
                    }

                    FlushChunk();
                    continue;
                }

                int n = Math.Min(_chunk.Length - _length, backupStreamBytes.Length);
                backupStreamBytes[..n].CopyTo(_chunk.AsSpan(_length));
                _length += n;
                backupStreamBytes = backupStreamBytes[n..];
            }
        }

        public void Commit()
        {
            Finish();
            _done = true;
            _out.TryComplete();
        }

        /// <summary>Ends the pipe with an error: the reader side throws it.</summary>
        public void Fail(Exception error) => _out.TryComplete(new IOException("the layer writer side of the pipe failed", error));

        public void Dispose()
        {
            if (!_done)
            {
                Fail(new InvalidOperationException("the layer writer was disposed without Commit"));
                _done = true;
            }
        }

        private void Finish()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            if (_name is null)
            {
                return;
            }

            if (!_announced)
            {
                TryAnnounce(final: true);
            }

            FlushChunk();
            _name = null;
        }

        /// <summary>Finds the main data stream's size in the buffered prefix and sends the Add message.</summary>
        private bool TryAnnounce(bool final)
        {
            long? size = _info.IsDirectory ? 0 : FindDataSize(_chunk.AsSpan(0, _length));
            if (size is null && !final)
            {
                return false;
            }

            _files[_name!] = (_id, _info, size ?? 0);
            Send(new Message(Kind.Add, _name, _info, size ?? 0, _id));
            _announced = true;
            return true;
        }

        private static long? FindDataSize(ReadOnlySpan<byte> prefix)
        {
            int offset = 0;
            while (prefix.Length - offset >= BackupStreamHeader.FixedSize)
            {
                var id = (BackupStreamId)BinaryPrimitives.ReadUInt32LittleEndian(prefix[offset..]);
                var attributes = (BackupStreamAttributes)BinaryPrimitives.ReadUInt32LittleEndian(prefix[(offset + 4)..]);
                long size = BinaryPrimitives.ReadInt64LittleEndian(prefix[(offset + 8)..]);
                int nameSize = BinaryPrimitives.ReadInt32LittleEndian(prefix[(offset + 16)..]);
                if (id == BackupStreamId.Data)
                {
                    if ((attributes & BackupStreamAttributes.Sparse) != 0)
                    {
                        throw new NotSupportedException("LayerPipe does not support sparse data streams");
                    }

                    return size;
                }

                long next = offset + (long)BackupStreamHeader.FixedSize + nameSize + size;
                if (next > int.MaxValue)
                {
                    return null;
                }

                offset = (int)next;
            }

            return null;
        }

        private void FlushChunk()
        {
            if (_chunk is not null && _length > 0)
            {
                Send(new Message(Kind.Data, Chunk: _chunk, Length: _length));
                _chunk = null;
                _length = 0;
            }
        }

        private void Send(Message message)
        {
            if (!_out.TryWrite(message))
            {
                _out.WriteAsync(message).AsTask().GetAwaiter().GetResult();
            }
        }
    }

    public sealed class PipeReader : ILayerReader
    {
        private readonly ChannelReader<Message> _in;
        private Message? _pending;
        private LayerEntry? _entry;
        private LayerLinkInfo _link;
        private byte[]? _chunk;
        private int _chunkLength;
        private int _chunkPosition;
        private bool _ended;

        internal PipeReader(ChannelReader<Message> input) => _in = input;

        public long Entries { get; private set; }

        public LayerEntry? Next()
        {
            ReleaseChunk();
            while (true)
            {
                Message? m = Receive();
                if (m is null)
                {
                    _entry = null;
                    return null;
                }

                switch (m.Kind)
                {
                    case Kind.Data:
                        // the rest of an entry the exporter did not read to the end
                        ArrayPool<byte>.Shared.Return(m.Chunk!);
                        continue;
                    case Kind.Add:
                        _link = new LayerLinkInfo(2, m.FileId);
                        _entry = new LayerEntry(m.Name!, m.Size, m.Info);
                        break;
                    case Kind.Link:
                        _link = new LayerLinkInfo(2, m.FileId);
                        _entry = new LayerEntry(m.Name!, m.Size, m.Info);
                        break;
                    case Kind.Remove:
                        _entry = new LayerEntry(m.Name!, 0, null);
                        break;
                }

                Entries++;
                return _entry;
            }
        }

        public int Read(Span<byte> buffer)
        {
            if (_entry is null)
            {
                throw new InvalidOperationException("no current entry");
            }

            int total = 0;
            while (buffer.Length > 0)
            {
                if (_chunk is null || _chunkPosition == _chunkLength)
                {
                    ReleaseChunk();
                    Message? m = Receive();
                    if (m is null || m.Kind != Kind.Data)
                    {
                        _pending = m; // the next entry's message: keep it for Next
                        _ended = m is null;
                        break;
                    }

                    _chunk = m.Chunk;
                    _chunkLength = m.Length;
                    _chunkPosition = 0;
                }

                int n = Math.Min(_chunkLength - _chunkPosition, buffer.Length);
                _chunk.AsSpan(_chunkPosition, n).CopyTo(buffer);
                _chunkPosition += n;
                buffer = buffer[n..];
                total += n;
                if (_chunkPosition == _chunkLength)
                {
                    // return what we have rather than block for the next chunk
                    break;
                }
            }

            return total;
        }

        public LayerLinkInfo GetLinkInfo() =>
            _entry is { IsTombstone: false } ? _link : throw new InvalidOperationException("no current entry, or a tombstone");

        public void Dispose() => ReleaseChunk();

        private void ReleaseChunk()
        {
            if (_chunk is not null)
            {
                ArrayPool<byte>.Shared.Return(_chunk);
                _chunk = null;
            }
        }

        private Message? Receive()
        {
            if (_pending is not null)
            {
                Message p = _pending;
                _pending = null;
                return p;
            }

            if (_ended)
            {
                return null;
            }

            while (true)
            {
                if (_in.TryRead(out Message? m))
                {
                    return m;
                }

                if (!_in.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    _in.Completion.GetAwaiter().GetResult(); // rethrows the writer's failure
                    _ended = true;
                    return null;
                }
            }
        }
    }
}
