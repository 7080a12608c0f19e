using System.Buffers.Binary;

namespace WcLayer.Win32;

/// <summary>
/// One access control entry. The common layouts (an access mask and a SID, optionally with object GUIDs) are decoded;
/// any other ACE type is kept as its raw body so that binary round trips are exact.
/// </summary>
public sealed class AccessControlEntry
{
    /// <summary>The size of <c>ACE_HEADER</c>.</summary>
    public const int HeaderSize = 4;

    private const int ObjectTypePresent = 0x1;
    private const int InheritedObjectTypePresent = 0x2;
    private const int GuidSize = 16;

    private readonly byte[] _trailingData;
    private readonly byte[]? _rawBody;

    /// <summary>Creates an ACE with a decoded layout.</summary>
    /// <param name="type">An ACE type whose layout is an access mask and a SID (<see cref="HasKnownLayout"/>).</param>
    /// <param name="flags">The ACE flags.</param>
    /// <param name="accessMask">The access mask.</param>
    /// <param name="sid">The trustee.</param>
    /// <param name="objectType">For object ACE types, the optional object type GUID.</param>
    /// <param name="inheritedObjectType">For object ACE types, the optional inherited object type GUID.</param>
    /// <param name="trailingData">Bytes after the SID: the application data of callback ACEs, or padding.</param>
    /// <exception cref="ArgumentException">The type has no decoded layout, GUIDs are given for a non-object type, or the ACE would exceed 65535 bytes.</exception>
    public AccessControlEntry(AceType type, AceFlags flags, uint accessMask, Sid sid, Guid? objectType = null,
        Guid? inheritedObjectType = null, ReadOnlySpan<byte> trailingData = default)
    {
        ArgumentNullException.ThrowIfNull(sid);
        if (!HasKnownLayout(type))
        {
            throw new ArgumentException($"ACE type {type} has no decoded layout; use {nameof(CreateRaw)}.", nameof(type));
        }

        if (!IsObjectType(type) && (objectType is not null || inheritedObjectType is not null))
        {
            throw new ArgumentException($"ACE type {type} carries no object GUIDs.", nameof(objectType));
        }

        Type = type;
        Flags = flags;
        AccessMask = accessMask;
        Sid = sid;
        ObjectType = objectType;
        InheritedObjectType = inheritedObjectType;
        _trailingData = trailingData.ToArray();
        CheckSize();
    }

    private AccessControlEntry(AceType type, AceFlags flags, byte[] rawBody)
    {
        Type = type;
        Flags = flags;
        _rawBody = rawBody;
        _trailingData = [];
        CheckSize();
    }

    /// <summary>Gets the ACE type.</summary>
    public AceType Type { get; }

    /// <summary>Gets the ACE flags.</summary>
    public AceFlags Flags { get; }

    /// <summary>Gets the access mask (zero for raw ACEs).</summary>
    public uint AccessMask { get; }

    /// <summary>Gets the trustee, or null for raw ACEs.</summary>
    public Sid? Sid { get; }

    /// <summary>Gets the object type GUID of an object ACE, if present.</summary>
    public Guid? ObjectType { get; }

    /// <summary>Gets the inherited object type GUID of an object ACE, if present.</summary>
    public Guid? InheritedObjectType { get; }

    /// <summary>Gets the bytes after the SID: the application data of callback ACEs, or padding.</summary>
    public ReadOnlyMemory<byte> TrailingData => _trailingData;

    /// <summary>Gets whether the ACE is kept as raw bytes (see <see cref="RawBody"/>) rather than decoded.</summary>
    public bool IsRaw => _rawBody is not null;

    /// <summary>Gets the bytes after the header of a raw ACE; empty for decoded ACEs.</summary>
    public ReadOnlyMemory<byte> RawBody => _rawBody;

    /// <summary>Gets the size of the binary form (<c>AceSize</c>).</summary>
    public int BinaryLength => _rawBody is not null
        ? HeaderSize + _rawBody.Length
        : HeaderSize + 4 + (IsObjectType(Type) ? 4 + (ObjectType is null ? 0 : GuidSize) + (InheritedObjectType is null ? 0 : GuidSize) : 0)
            + Sid!.BinaryLength + _trailingData.Length;

    /// <summary>Creates an ACE that is kept as raw bytes.</summary>
    /// <param name="type">The ACE type.</param>
    /// <param name="flags">The ACE flags.</param>
    /// <param name="body">The bytes after the 4-byte header.</param>
    /// <returns>The ACE.</returns>
    /// <exception cref="ArgumentException">The ACE would exceed 65535 bytes.</exception>
    public static AccessControlEntry CreateRaw(AceType type, AceFlags flags, ReadOnlySpan<byte> body) =>
        new(type, flags, body.ToArray());

    /// <summary>Gets whether ACEs of a type are decoded as an access mask, optional object GUIDs and a SID.</summary>
    /// <param name="type">The ACE type.</param>
    /// <returns>True for the allowed, denied, audit, alarm, mandatory label, callback and object types.</returns>
    public static bool HasKnownLayout(AceType type) => type switch
    {
        AceType.AccessAllowedCompound or AceType.SystemResourceAttribute or AceType.SystemScopedPolicyId
            or AceType.SystemProcessTrustLabel or AceType.SystemAccessFilter => false,
        _ => type <= AceType.SystemMandatoryLabel,
    };

    /// <summary>Gets whether a type is an object ACE type (with the object flags and optional GUIDs).</summary>
    /// <param name="type">The ACE type.</param>
    /// <returns>True for the object and callback-object types.</returns>
    public static bool IsObjectType(AceType type) => type is AceType.AccessAllowedObject or AceType.AccessDeniedObject
        or AceType.SystemAuditObject or AceType.SystemAlarmObject or AceType.AccessAllowedCallbackObject
        or AceType.AccessDeniedCallbackObject or AceType.SystemAuditCallbackObject or AceType.SystemAlarmCallbackObject;

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

        destination[0] = (byte)Type;
        destination[1] = (byte)Flags;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)length);
        if (_rawBody is not null)
        {
            _rawBody.CopyTo(destination[HeaderSize..]);
            return;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], AccessMask);
        int position = 8;
        if (IsObjectType(Type))
        {
            int objectFlags = (ObjectType is null ? 0 : ObjectTypePresent) | (InheritedObjectType is null ? 0 : InheritedObjectTypePresent);
            BinaryPrimitives.WriteInt32LittleEndian(destination[position..], objectFlags);
            position += 4;
            foreach (Guid? guid in (ReadOnlySpan<Guid?>)[ObjectType, InheritedObjectType])
            {
                if (guid is { } value)
                {
                    value.TryWriteBytes(destination.Slice(position, GuidSize));
                    position += GuidSize;
                }
            }
        }

        Sid!.WriteTo(destination[position..]);
        position += Sid.BinaryLength;
        _trailingData.CopyTo(destination[position..]);
    }

    /// <summary>Reads the ACE at <paramref name="offset"/>, which must end by <paramref name="limit"/> (the end of its ACL).</summary>
    internal static AccessControlEntry Read(ReadOnlySpan<byte> buffer, int offset, int limit, out int size)
    {
        if (limit - offset < HeaderSize)
        {
            throw new InvalidDataException($"The ACE at offset {offset} is truncated: its header needs {HeaderSize} bytes.");
        }

        var type = (AceType)buffer[offset];
        var flags = (AceFlags)buffer[offset + 1];
        size = BinaryPrimitives.ReadUInt16LittleEndian(buffer[(offset + 2)..]);
        if (size < HeaderSize)
        {
            throw new InvalidDataException($"The ACE at offset {offset} has size {size}, less than its {HeaderSize}-byte header.");
        }

        if (size > limit - offset)
        {
            throw new InvalidDataException($"The ACE at offset {offset} has size {size}, which overruns its ACL (ends at {limit}).");
        }

        int end = offset + size;
        ReadOnlySpan<byte> body = buffer[(offset + HeaderSize)..end];
        if (!HasKnownLayout(type))
        {
            return CreateRaw(type, flags, body);
        }

        if (body.Length < 4)
        {
            throw new InvalidDataException($"The ACE at offset {offset} is too short for its access mask.");
        }

        uint mask = BinaryPrimitives.ReadUInt32LittleEndian(body);
        int position = offset + 8;
        Guid? objectType = null, inheritedObjectType = null;
        if (IsObjectType(type))
        {
            if (end - position < 4)
            {
                throw new InvalidDataException($"The object ACE at offset {offset} is too short for its object flags.");
            }

            int objectFlags = BinaryPrimitives.ReadInt32LittleEndian(buffer[position..]);
            if ((objectFlags & ~(ObjectTypePresent | InheritedObjectTypePresent)) != 0)
            {
                // Flags this codec cannot re-derive from the GUIDs: keep the bytes so the round trip stays exact.
                return CreateRaw(type, flags, body);
            }

            position += 4;
            if ((objectFlags & ObjectTypePresent) != 0)
            {
                objectType = ReadGuid(buffer, ref position, end, offset);
            }

            if ((objectFlags & InheritedObjectTypePresent) != 0)
            {
                inheritedObjectType = ReadGuid(buffer, ref position, end, offset);
            }
        }

        Sid sid = Sid.Read(buffer, position, end, "SID of the ACE");
        position += sid.BinaryLength;
        return new AccessControlEntry(type, flags, mask, sid, objectType, inheritedObjectType, buffer[position..end]);
    }

    private static Guid ReadGuid(ReadOnlySpan<byte> buffer, ref int position, int end, int aceOffset)
    {
        if (end - position < GuidSize)
        {
            throw new InvalidDataException($"The object ACE at offset {aceOffset} is truncated at its GUID at offset {position}.");
        }

        var guid = new Guid(buffer.Slice(position, GuidSize));
        position += GuidSize;
        return guid;
    }

    private void CheckSize()
    {
        if (BinaryLength > ushort.MaxValue)
        {
            throw new ArgumentException($"An ACE is at most {ushort.MaxValue} bytes; this one would be {BinaryLength}.");
        }
    }
}
