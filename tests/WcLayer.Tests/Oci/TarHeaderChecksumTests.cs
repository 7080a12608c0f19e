using CsCheck;
using WcLayer.Oci;

namespace WcLayer.Tests.Oci;

/// <summary>The checksum sums of a tar header, vectorized, against the definition byte by byte.</summary>
public sealed class TarHeaderChecksumTests
{
    [Fact]
    public void The_sums_are_those_of_the_bytes_with_the_checksum_field_as_spaces()
    {
        Gen.Byte.Array[512].Sample(header =>
        {
            long unsignedSum = 0;
            long signedSum = 0;
            for (int i = 0; i < 512; i++)
            {
                byte b = i is >= 148 and < 156 ? (byte)' ' : header[i];
                unsignedSum += b;
                signedSum += (sbyte)b;
            }

            Assert.Equal((unsignedSum, signedSum), TarHeaderChecksum.Sums(header));
        });
    }

    [Fact]
    public void The_extreme_blocks_sum_as_defined()
    {
        byte[] ones = Enumerable.Repeat((byte)0xFF, 512).ToArray();
        Assert.Equal(((504L * 255) + (8 * 32), (504L * -1) + (8 * 32)), TarHeaderChecksum.Sums(ones));
        Assert.Equal((8L * 32, 8L * 32), TarHeaderChecksum.Sums(new byte[512]));
    }
}
