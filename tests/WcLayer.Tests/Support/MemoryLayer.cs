using WcLayer.Win32;

namespace WcLayer.Tests.Support;

/// <summary>An in-memory layer for tests: what a <see cref="MemoryLayerWriter"/> committed, readable with <see cref="MemoryLayerReader"/>.</summary>
public sealed class MemoryLayer
{
    public List<MemoryLayerEntry> Entries { get; } = [];

    public MemoryLayerReader OpenReader(bool seekable = true) => new(this, seekable);

    public MemoryLayerEntry this[string name] => Entries.Single(e => e.Name == name);
}

/// <summary>One entry; hard links share <see cref="FileId"/> and the content of their first name.</summary>
public sealed class MemoryLayerEntry
{
    public required string Name { get; init; }

    public FileBasicInfo? Info { get; set; }

    public MemoryStream Content { get; } = new();

    public long Size { get; set; }

    public UInt128 FileId { get; set; }

    public string? LinkTarget { get; set; }

    public override string ToString() => Info is null ? $"tombstone {Name}" : $"{Name} ({Content.Length} backup bytes)";
}

public sealed class MemoryLayerWriter : ILayerWriter
{
    private readonly MemoryLayer _layer = new();
    private MemoryLayerEntry? _current;
    private UInt128 _nextId = 1;
    private bool _done;

    public MemoryLayer? Committed { get; private set; }

    public void Add(string name, FileBasicInfo info)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        Finish();
        _current = new MemoryLayerEntry { Name = name, Info = info, FileId = _nextId++ };
        _layer.Entries.Add(_current);
    }

    public void AddLink(string name, string target)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        Finish();
        MemoryLayerEntry first = _layer.Entries.LastOrDefault(e => e.Name == target && e.Info is not null)
            ?? throw new InvalidOperationException($"hard link target '{target}' for '{name}' does not exist");
        var link = new MemoryLayerEntry { Name = name, Info = first.Info, FileId = first.FileId, LinkTarget = target };
        _layer.Entries.Add(link);
    }

    public void Remove(string name)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        Finish();
        _layer.Entries.Add(new MemoryLayerEntry { Name = name });
    }

    public void Write(ReadOnlySpan<byte> backupStreamBytes)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (_current is null)
        {
            throw new InvalidOperationException("Write before Add");
        }

        _current.Content.Write(backupStreamBytes);
    }

    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        Finish();
        _done = true;
        Committed = _layer;
    }

    public void Dispose() => _done = true;

    private void Finish()
    {
        if (_current is null)
        {
            return;
        }

        // The size of an entry is its data stream's size, as HCS reports it.
        _current.Content.Position = 0;
        using (var reader = new BackupStreamReader(_current.Content, leaveOpen: true))
        {
            while (reader.ReadNextHeader() is { } h)
            {
                if (h.Id == BackupStreamId.Data)
                {
                    _current.Size = h.Size;
                }
                else if (h.Id == BackupStreamId.SparseBlock && h.Size == 0)
                {
                    _current.Size = h.Offset;
                }
            }
        }

        _current.Content.Position = 0;
        _current = null;
    }
}

public sealed class MemoryLayerReader : ISeekableLayerReader
{
    private readonly MemoryLayer _layer;
    private readonly bool _seekable;
    private int _index = -1;
    private MemoryStream? _content;
    private bool _disposed;

    public MemoryLayerReader(MemoryLayer layer, bool seekable)
    {
        _layer = layer;
        _seekable = seekable;
    }

    public bool CanSeekEntry => _seekable && _content is not null;

    public LayerEntry? Next()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _index++;
        if (_index >= _layer.Entries.Count)
        {
            _content = null;
            return null;
        }

        MemoryLayerEntry e = _layer.Entries[_index];
        MemoryLayerEntry source = e.LinkTarget is null ? e : _layer.Entries.First(x => x.FileId == e.FileId && x.LinkTarget is null);
        _content = new MemoryStream(source.Content.ToArray(), writable: false);
        return new LayerEntry(e.Name, source.Size, e.Info);
    }

    public int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return (_content ?? throw new InvalidOperationException("no current entry")).Read(buffer);
    }

    public long SeekEntry(long offset, SeekOrigin origin)
    {
        if (!CanSeekEntry)
        {
            throw new NotSupportedException();
        }

        return _content!.Seek(offset, origin);
    }

    public LayerLinkInfo GetLinkInfo()
    {
        MemoryLayerEntry e = _layer.Entries[_index];
        if (e.Info is null)
        {
            throw new InvalidOperationException("tombstone");
        }

        uint links = (uint)_layer.Entries.Count(x => x.Info is not null && x.FileId == e.FileId);
        return new LayerLinkInfo(links, e.FileId);
    }

    public void Dispose() => _disposed = true;
}
