using System.Numerics;
using System.Runtime.Intrinsics;

namespace WcLayer.Oci;

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

        (long unsignedSum, long signedSum) = Sums(block);
        return recorded == unsignedSum || recorded == signedSum;
    }

    /// <summary>
    /// The sums a header's checksum field may hold: of its bytes as unsigned (POSIX) and as signed (old tars; both
    /// are accepted, as Go and GNU tar do), with the field itself counted as eight spaces.
    /// </summary>
    /// <param name="header">A 512-byte block.</param>
    public static (long Unsigned, long Signed) Sums(ReadOnlySpan<byte> header)
    {
        header = header[..BlockSize];
        long unsignedSum = 0;
        int high = 0; // bytes of 128 and more: each counts 256 less when signed
        if (Vector128.IsHardwareAccelerated)
        {
            // 32 vectors: a 16-bit lane sums at most 32 × 2 × 255, so it cannot overflow.
            Vector128<ushort> lanes = Vector128<ushort>.Zero;
            for (int i = 0; i < BlockSize; i += Vector128<byte>.Count)
            {
                Vector128<byte> bytes = Vector128.Create(header.Slice(i, Vector128<byte>.Count));
                (Vector128<ushort> lower, Vector128<ushort> upper) = Vector128.Widen(bytes);
                lanes += lower + upper;
                high += BitOperations.PopCount(bytes.ExtractMostSignificantBits());
            }

            (Vector128<uint> first, Vector128<uint> second) = Vector128.Widen(lanes);
            unsignedSum = Vector128.Sum(first + second);
        }
        else
        {
            foreach (byte b in header)
            {
                unsignedSum += b;
                high += b >> 7;
            }
        }

        foreach (byte b in header.Slice(FieldOffset, FieldLength))
        {
            unsignedSum += ' ' - b;
            high -= b >> 7;
        }

        return (unsignedSum, unsignedSum - (256L * high));
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
