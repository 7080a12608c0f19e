using System.Buffers.Binary;
using System.Text;

namespace WcLayer.Win32;

/// <summary>Encodes and decodes <c>FILE_FULL_EA_INFORMATION</c> lists, byte for byte as go-winio's <c>ea.go</c>.</summary>
public static class ExtendedAttributeList
{
    // NextEntryOffset (u32), Flags (u8), EaNameLength (u8), EaValueLength (u16).
    private const int EntryHeaderSize = 8;
    private const int Alignment = 4;

    /// <summary>Encodes a list; every entry is padded to 4 bytes, the last one included. An empty list is empty bytes.</summary>
    /// <param name="attributes">The attributes, in the order to write them.</param>
    /// <returns>The encoded buffer.</returns>
    /// <exception cref="ArgumentException">A name is over 255 bytes or a value over 65535 bytes.</exception>
    public static byte[] Encode(IEnumerable<ExtendedAttribute> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var entries = new List<(ExtendedAttribute Attribute, byte[] Name, int PaddedSize)>();
        int total = 0;
        foreach (ExtendedAttribute attribute in attributes)
        {
            ArgumentNullException.ThrowIfNull(attribute, nameof(attributes));
            byte[] name = Encoding.UTF8.GetBytes(attribute.Name);
            if (name.Length > byte.MaxValue)
            {
                throw new ArgumentException($"extended attribute name too large: {attribute.Name} is {name.Length} bytes (at most {byte.MaxValue})", nameof(attributes));
            }

            if (attribute.Value.Length > ushort.MaxValue)
            {
                throw new ArgumentException($"extended attribute value too large: {attribute.Name} has {attribute.Value.Length} bytes (at most {ushort.MaxValue})", nameof(attributes));
            }

            int paddedSize = Align(EntryHeaderSize + name.Length + 1 + attribute.Value.Length);
            entries.Add((attribute, name, paddedSize));
            total = checked(total + paddedSize);
        }

        // Padding and NUL terminators come from the zeroed array.
        var buffer = new byte[total];
        int offset = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            (ExtendedAttribute attribute, byte[] name, int paddedSize) = entries[i];
            Span<byte> entry = buffer.AsSpan(offset, paddedSize);
            BinaryPrimitives.WriteUInt32LittleEndian(entry, i == entries.Count - 1 ? 0u : (uint)paddedSize);
            entry[4] = attribute.Flags;
            entry[5] = (byte)name.Length;
            BinaryPrimitives.WriteUInt16LittleEndian(entry[6..], (ushort)attribute.Value.Length);
            name.CopyTo(entry[EntryHeaderSize..]);
            attribute.Value.Span.CopyTo(entry[(EntryHeaderSize + name.Length + 1)..]);
            offset += paddedSize;
        }

        return buffer;
    }

    /// <summary>Decodes a list. Final padding is optional; an empty buffer is an empty list.</summary>
    /// <param name="buffer">The encoded buffer.</param>
    /// <returns>The attributes in buffer order.</returns>
    /// <exception cref="InvalidDataException">The buffer is truncated or an offset points outside it (the message names the offset).</exception>
    public static IReadOnlyList<ExtendedAttribute> Decode(ReadOnlySpan<byte> buffer)
    {
        var attributes = new List<ExtendedAttribute>();
        int offset = 0;
        while (offset < buffer.Length)
        {
            ReadOnlySpan<byte> entry = buffer[offset..];
            if (entry.Length < EntryHeaderSize)
            {
                throw new InvalidDataException($"invalid extended attribute buffer: the entry at offset {offset} needs an {EntryHeaderSize}-byte header, {entry.Length} bytes remain.");
            }

            uint next = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            byte flags = entry[4];
            int nameLength = entry[5];
            int valueLength = BinaryPrimitives.ReadUInt16LittleEndian(entry[6..]);
            int valueStart = EntryHeaderSize + nameLength + 1;
            int entrySize = valueStart + valueLength;
            if (entrySize > entry.Length)
            {
                throw new InvalidDataException($"invalid extended attribute buffer: the entry at offset {offset} needs {entrySize} bytes (name {nameLength}, value {valueLength}), {entry.Length} bytes remain.");
            }

            if (next > (uint)entry.Length)
            {
                throw new InvalidDataException($"invalid extended attribute buffer: the entry at offset {offset} has NextEntryOffset {next}, past the end of the buffer ({entry.Length} bytes remain).");
            }

            // go-winio would accept entries that overlap; they cannot come from a valid encoder and would let a
            // value be read twice as something else.
            if (next != 0 && next < entrySize)
            {
                throw new InvalidDataException($"invalid extended attribute buffer: the entry at offset {offset} has NextEntryOffset {next}, inside its own {entrySize} bytes.");
            }

            // go-winio stops quietly here, but a non-zero NextEntryOffset promises another entry: the buffer was cut.
            if (next != 0 && next == (uint)entry.Length)
            {
                throw new InvalidDataException($"invalid extended attribute buffer: the entry at offset {offset} has NextEntryOffset {next}, but the buffer ends there.");
            }

            string name = Encoding.UTF8.GetString(entry.Slice(EntryHeaderSize, nameLength));
            attributes.Add(new ExtendedAttribute(name, entry.Slice(valueStart, valueLength).ToArray(), flags));
            if (next == 0)
            {
                break;
            }

            offset += (int)next;
        }

        return attributes;
    }

    private static int Align(int size) => (size + Alignment - 1) & ~(Alignment - 1);
}
