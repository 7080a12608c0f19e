using System.Buffers.Binary;

namespace WcLayer.Win32;

/// <summary>An access control list: a header (revision, size, count) followed by its ACEs.</summary>
public sealed class AccessControlList
{
    /// <summary>The size of the <c>ACL</c> header.</summary>
    public const int HeaderSize = 8;

    /// <summary><c>ACL_REVISION</c>: the revision for ACLs without object ACEs.</summary>
    public const byte RevisionStandard = 2;

    /// <summary><c>ACL_REVISION_DS</c>: the revision for ACLs that hold object ACEs.</summary>
    public const byte RevisionDirectoryService = 4;

    private const byte MinRevision = 2;

    private readonly AccessControlEntry[] _entries;
    private readonly byte[] _slack;

    /// <summary>Creates an ACL whose revision is the one Windows picks: 4 if any ACE is an object ACE, else 2.</summary>
    /// <param name="entries">The ACEs, in order.</param>
    /// <exception cref="ArgumentException">The ACL would exceed 65535 bytes or entries.</exception>
    public AccessControlList(IEnumerable<AccessControlEntry> entries)
        : this(0, entries, default)
    {
    }

    /// <summary>Creates an ACL.</summary>
    /// <param name="revision">The revision (2 to 4), or 0 to pick it as Windows does.</param>
    /// <param name="entries">The ACEs, in order.</param>
    /// <param name="slack">Unused bytes after the last ACE that <c>AclSize</c> still covers.</param>
    /// <exception cref="ArgumentException">The revision is invalid or the ACL would exceed 65535 bytes or entries.</exception>
    public AccessControlList(byte revision, IEnumerable<AccessControlEntry> entries, ReadOnlySpan<byte> slack)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = [.. entries];
        foreach (AccessControlEntry entry in _entries)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(entries));
        }

        if (revision == 0)
        {
            revision = Array.Exists(_entries, e => AccessControlEntry.IsObjectType(e.Type)) ? RevisionDirectoryService : RevisionStandard;
        }

        if (revision is < MinRevision or > RevisionDirectoryService)
        {
            throw new ArgumentOutOfRangeException(nameof(revision), revision, "An ACL revision is 2, 3 or 4.");
        }

        Revision = revision;
        _slack = slack.ToArray();
        if (_entries.Length > ushort.MaxValue || BinaryLength > ushort.MaxValue)
        {
            throw new ArgumentException($"An ACL is at most {ushort.MaxValue} bytes and entries.", nameof(entries));
        }
    }

    /// <summary>Gets the ACL revision.</summary>
    public byte Revision { get; }

    /// <summary>Gets the ACEs, in order.</summary>
    public IReadOnlyList<AccessControlEntry> Entries => _entries;

    /// <summary>Gets the unused bytes after the last ACE that the ACL size still covers.</summary>
    public ReadOnlyMemory<byte> Slack => _slack;

    /// <summary>Gets the size of the binary form (<c>AclSize</c>).</summary>
    public int BinaryLength
    {
        get
        {
            int length = HeaderSize + _slack.Length;
            foreach (AccessControlEntry entry in _entries)
            {
                length += entry.BinaryLength;
            }

            return length;
        }
    }

    /// <summary>Preserved reserved fields (<c>Sbz1</c>, <c>Sbz2</c>), so that odd but accepted input round-trips.</summary>
    internal byte Sbz1 { get; private init; }

    internal ushort Sbz2 { get; private init; }

    /// <summary>Writes the binary form.</summary>
    /// <param name="destination">At least <see cref="BinaryLength"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public void WriteTo(Span<byte> destination)
    {
        int length = BinaryLength;
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination needs {length} bytes.", nameof(destination));
        }

        destination[0] = Revision;
        destination[1] = Sbz1;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], (ushort)_entries.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], Sbz2);
        int position = HeaderSize;
        foreach (AccessControlEntry entry in _entries)
        {
            entry.WriteTo(destination[position..]);
            position += entry.BinaryLength;
        }

        _slack.CopyTo(destination[position..]);
    }

    /// <summary>Reads the ACL at <paramref name="offset"/>; <paramref name="what"/> names it in errors.</summary>
    internal static AccessControlList Read(ReadOnlySpan<byte> buffer, int offset, string what)
    {
        if (buffer.Length - offset < HeaderSize)
        {
            throw new InvalidDataException($"The {what} at offset {offset} is truncated: its header needs {HeaderSize} bytes.");
        }

        byte revision = buffer[offset];
        if (revision is < MinRevision or > RevisionDirectoryService)
        {
            throw new InvalidDataException($"The {what} at offset {offset} has revision {revision}; expected 2, 3 or 4.");
        }

        int size = BinaryPrimitives.ReadUInt16LittleEndian(buffer[(offset + 2)..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(buffer[(offset + 4)..]);
        if (size < HeaderSize)
        {
            throw new InvalidDataException($"The {what} at offset {offset} has size {size}, less than its {HeaderSize}-byte header.");
        }

        if (size > buffer.Length - offset)
        {
            throw new InvalidDataException(
                $"The {what} at offset {offset} has size {size}, which overruns the {buffer.Length}-byte descriptor.");
        }

        int end = offset + size;
        // Each ACE is at least 4 bytes, so the count is bounded by the size and the loop by the buffer.
        var entries = new AccessControlEntry[Math.Min(count, (size - HeaderSize) / AccessControlEntry.HeaderSize)];
        if (entries.Length < count)
        {
            throw new InvalidDataException($"The {what} at offset {offset} claims {count} ACEs, more than its size {size} can hold.");
        }

        int position = offset + HeaderSize;
        for (int i = 0; i < count; i++)
        {
            entries[i] = AccessControlEntry.Read(buffer, position, end, out int aceSize);
            position += aceSize;
        }

        return new AccessControlList(revision, entries, buffer[position..end])
        {
            Sbz1 = buffer[offset + 1],
            Sbz2 = BinaryPrimitives.ReadUInt16LittleEndian(buffer[(offset + 6)..]),
        };
    }
}
