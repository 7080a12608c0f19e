namespace WcLayer.Cli;

/// <summary>The checksum every tar header carries: what tells a tar from any other file, whatever its format (v7, ustar, PAX, GNU).</summary>
internal static class TarHeaderChecksum
{
    /// <summary>The size of a tar header block.</summary>
    public const int BlockSize = 512;

    private const int FieldOffset = 148;
    private const int FieldLength = 8;

    /// <summary>Whether <paramref name="block"/> is a tar header with a matching checksum, or a zero block (an empty archive).</summary>
    /// <param name="block">A 512-byte block.</param>
    /// <returns><see langword="true"/> when the block can start a tar.</returns>
    public static bool IsValidOrZero(ReadOnlySpan<byte> block)
    {
        if (!block.ContainsAnyExcept((byte)0))
        {
            return true;
        }

        if (!TryParseOctal(block.Slice(FieldOffset, FieldLength), out long recorded))
        {
            return false;
        }

        // The field counts as spaces. Old tars summed signed bytes; both sums are accepted, as GNU tar does.
        long unsignedSum = FieldLength * ' ';
        long signedSum = FieldLength * ' ';
        for (int i = 0; i < block.Length; i++)
        {
            if (i is >= FieldOffset and < FieldOffset + FieldLength)
            {
                continue;
            }

            unsignedSum += block[i];
            signedSum += (sbyte)block[i];
        }

        return recorded == unsignedSum || recorded == signedSum;
    }

    private static bool TryParseOctal(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        field = field.TrimStart((byte)' ');
        int digits = 0;
        foreach (byte b in field)
        {
            if (b is (byte)' ' or 0)
            {
                break;
            }

            if (b is < (byte)'0' or > (byte)'7')
            {
                return false;
            }

            value = (value * 8) + (b - '0');
            digits++;
        }

        return digits > 0;
    }
}
