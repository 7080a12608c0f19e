using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace WcLayer.Win32;

/// <summary>
/// A Windows security identifier (SID): a revision-1 identifier authority followed by up to 15 relative
/// sub-authorities. Named <c>Sid</c> so that it never clashes with <c>System.Security.Principal.SecurityIdentifier</c>,
/// which throws on every OS but Windows.
/// </summary>
public sealed class Sid : IEquatable<Sid>
{
    /// <summary>The only SID revision Windows defines.</summary>
    public const byte Revision = 1;

    /// <summary>The largest number of sub-authorities a SID may have (<c>SID_MAX_SUB_AUTHORITIES</c>).</summary>
    public const int MaxSubAuthorities = 15;

    /// <summary>The largest identifier authority: it is stored in six bytes.</summary>
    public const long MaxIdentifierAuthority = (1L << 48) - 1;

    private const int HeaderSize = 8;

    private readonly uint[] _subAuthorities;

    /// <summary>Creates a SID.</summary>
    /// <param name="identifierAuthority">The 48-bit identifier authority, e.g. 5 for <c>NT AUTHORITY</c>.</param>
    /// <param name="subAuthorities">The sub-authorities, at most <see cref="MaxSubAuthorities"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The authority does not fit in 48 bits or there are too many sub-authorities.</exception>
    public Sid(long identifierAuthority, params ReadOnlySpan<uint> subAuthorities)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(identifierAuthority);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(identifierAuthority, MaxIdentifierAuthority);
        if (subAuthorities.Length > MaxSubAuthorities)
        {
            throw new ArgumentOutOfRangeException(nameof(subAuthorities), subAuthorities.Length,
                $"A SID has at most {MaxSubAuthorities} sub-authorities.");
        }

        IdentifierAuthority = identifierAuthority;
        _subAuthorities = subAuthorities.ToArray();
    }

    /// <summary>Gets the 48-bit identifier authority.</summary>
    public long IdentifierAuthority { get; }

    /// <summary>Gets the sub-authorities, most significant (leftmost in the string form) first.</summary>
    public IReadOnlyList<uint> SubAuthorities => _subAuthorities;

    /// <summary>Gets the size of the binary form in bytes.</summary>
    public int BinaryLength => HeaderSize + (4 * _subAuthorities.Length);

    /// <summary>Decodes a binary SID that starts at the beginning of <paramref name="bytes"/> (trailing bytes are ignored).</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The SID.</returns>
    /// <exception cref="InvalidDataException">The bytes are truncated or the revision or sub-authority count is invalid.</exception>
    public static Sid FromBinary(ReadOnlySpan<byte> bytes) => Read(bytes, 0, bytes.Length, "SID");

    /// <summary>Parses the string form <c>S-1-5-32-544</c> (an authority of 2^32 or more may be written <c>0x</c> + hex).</summary>
    /// <param name="value">The string.</param>
    /// <returns>The SID.</returns>
    /// <exception cref="FormatException">The string is not a valid SID string.</exception>
    public static Sid Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int position = 0;
        Sid? sid = TryParsePrefix(value, ref position, out string? error);
        if (sid is null || position != value.Length)
        {
            throw new FormatException($"Invalid SID string '{value}' at position {position}: {error ?? "unexpected character"}.");
        }

        return sid;
    }

    /// <summary>Writes the binary form.</summary>
    /// <param name="destination">At least <see cref="BinaryLength"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < BinaryLength)
        {
            throw new ArgumentException($"The destination needs {BinaryLength} bytes.", nameof(destination));
        }

        destination[0] = Revision;
        destination[1] = (byte)_subAuthorities.Length;
        // The authority is the one big-endian field of a SID.
        Span<byte> authority = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(authority, IdentifierAuthority);
        authority[2..].CopyTo(destination[2..8]);
        for (int i = 0; i < _subAuthorities.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[(HeaderSize + (4 * i))..], _subAuthorities[i]);
        }
    }

    /// <summary>Encodes the binary form.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToBinary()
    {
        var bytes = new byte[BinaryLength];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>The string form, as SDDL writes a SID that has no alias (the same as <see cref="ToString"/>), so that <see cref="Sid"/> and <see cref="SecurityDescriptor"/> read and write alike: <c>Parse</c>/<c>ToSddl</c>, <c>FromBinary</c>/<c>ToBinary</c>.</summary>
    /// <returns>The string form, e.g. <c>S-1-5-32-544</c>.</returns>
    public string ToSddl() => ToString();

    /// <summary>Formats the SID as Windows' <c>ConvertSidToStringSidW</c> does, e.g. <c>S-1-5-32-544</c>.</summary>
    /// <returns>The string form.</returns>
    public override string ToString()
    {
        var builder = new StringBuilder("S-1-", 16 + (11 * _subAuthorities.Length));
        // Windows switches to 12 hex digits exactly when the top two authority bytes are in use.
        if (IdentifierAuthority >= 1L << 32)
        {
            builder.Append("0x").Append(IdentifierAuthority.ToString("x12", CultureInfo.InvariantCulture));
        }
        else
        {
            builder.Append(IdentifierAuthority.ToString(CultureInfo.InvariantCulture));
        }

        foreach (uint sub in _subAuthorities)
        {
            builder.Append('-').Append(sub.ToString(CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(Sid? other) =>
        other is not null && other.IdentifierAuthority == IdentifierAuthority &&
        other._subAuthorities.AsSpan().SequenceEqual(_subAuthorities);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Sid);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(IdentifierAuthority);
        foreach (uint sub in _subAuthorities)
        {
            hash.Add(sub);
        }

        return hash.ToHashCode();
    }

    /// <summary>Reads a SID at <paramref name="offset"/> of <paramref name="buffer"/>, bounded by <paramref name="limit"/>.</summary>
    internal static Sid Read(ReadOnlySpan<byte> buffer, int offset, int limit, string what)
    {
        if (limit - offset < HeaderSize)
        {
            throw new InvalidDataException($"The {what} at offset {offset} is truncated: it needs at least {HeaderSize} bytes.");
        }

        if (buffer[offset] != Revision)
        {
            throw new InvalidDataException($"The {what} at offset {offset} has revision {buffer[offset]}, not {Revision}.");
        }

        int count = buffer[offset + 1];
        if (count > MaxSubAuthorities)
        {
            throw new InvalidDataException(
                $"The {what} at offset {offset} claims {count} sub-authorities; at most {MaxSubAuthorities} are allowed.");
        }

        int length = HeaderSize + (4 * count);
        if (limit - offset < length)
        {
            throw new InvalidDataException($"The {what} at offset {offset} is truncated: it needs {length} bytes.");
        }

        long authority = 0;
        for (int i = 2; i < 8; i++)
        {
            authority = (authority << 8) | buffer[offset + i];
        }

        var subs = new uint[count];
        for (int i = 0; i < count; i++)
        {
            subs[i] = BinaryPrimitives.ReadUInt32LittleEndian(buffer[(offset + HeaderSize + (4 * i))..]);
        }

        return new Sid(authority, subs);
    }

    /// <summary>
    /// Parses an <c>S-1-…</c> string at <paramref name="position"/>, stopping at the first character that cannot
    /// continue it (so that SDDL such as <c>O:S-1-5-18G:SY</c> can be split). Returns null and an error on failure,
    /// with <paramref name="position"/> at the offending character.
    /// </summary>
    internal static Sid? TryParsePrefix(string text, ref int position, out string? error)
    {
        error = null;
        if (position + 2 > text.Length || char.ToUpperInvariant(text[position]) != 'S' || text[position + 1] != '-')
        {
            error = "expected 'S-'";
            return null;
        }

        position += 2;
        int revisionStart = position;
        if (!TryReadNumber(text, ref position, uint.MaxValue, allowHex: false, out ulong revision) || revision != Revision)
        {
            position = revisionStart;
            error = "the revision must be 1";
            return null;
        }

        if (position >= text.Length || text[position] != '-')
        {
            error = "expected '-' after the revision";
            return null;
        }

        position++;
        if (!TryReadNumber(text, ref position, MaxIdentifierAuthority, allowHex: true, out ulong authority))
        {
            error = "expected an identifier authority below 2^48";
            return null;
        }

        var subs = new List<uint>();
        while (position < text.Length && text[position] == '-')
        {
            position++;
            if (subs.Count == MaxSubAuthorities)
            {
                error = $"a SID has at most {MaxSubAuthorities} sub-authorities";
                return null;
            }

            if (!TryReadNumber(text, ref position, uint.MaxValue, allowHex: false, out ulong sub))
            {
                error = "expected a 32-bit sub-authority";
                return null;
            }

            subs.Add((uint)sub);
        }

        return new Sid((long)authority, subs.ToArray());
    }

    /// <summary>Reads a number; on failure <paramref name="position"/> is left at its start.</summary>
    private static bool TryReadNumber(string text, ref int position, ulong max, bool allowHex, out ulong value)
    {
        value = 0;
        int origin = position;
        int start = position;
        bool hex = allowHex && position + 1 < text.Length && text[position] == '0' && (text[position + 1] | 0x20) == 'x';
        if (hex)
        {
            position += 2;
            start = position;
        }

        // A hex authority has at most 12 digits (6 bytes); stopping there keeps "S-1-0x…D:" in SDDL unambiguous.
        while (position < text.Length && (hex ? char.IsAsciiHexDigit(text[position]) && position - start < 12 : char.IsAsciiDigit(text[position])))
        {
            char c = text[position];
            ulong digit = (ulong)(char.IsAsciiDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
            ulong radix = hex ? 16UL : 10UL;
            if (value > (max - digit) / radix)
            {
                position = origin;
                return false;
            }

            value = (value * radix) + digit;
            position++;
        }

        if (position == start)
        {
            position = origin;
            return false;
        }

        return true;
    }
}
