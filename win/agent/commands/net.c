/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-network-get-interfaces: adapters with their hardware address, IP addresses and counters. */
#include <stdlib.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
#include <netioapi.h>

#include "commands/commands.h"
#include "core/inventory.h"
#include "platform/error.h"
#include "platform/utf.h"

/* Adapters can appear between sizing and filling the buffer; a few rounds settle it. */
#define ADAPTERS_ATTEMPTS     4
#define ADAPTERS_INITIAL_SIZE (16 * 1024)   /* Microsoft's advice: start at 15 KB */
#define ADAPTERS_FLAGS        (GAA_FLAG_INCLUDE_PREFIX | GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST \
                               | GAA_FLAG_SKIP_DNS_SERVER)

/* Counters are 64-bit unsigned; JSON integers are exact either way. */
static int set_u64(struct json_value *object, const char *key, uint64_t value)
{
    if (value <= INT64_MAX)
        return json_object_set_int(object, key, (int64_t)value);
    return json_object_set(object, key, json_uint(value));
}

static int add_address(struct json_value *list, const IP_ADAPTER_UNICAST_ADDRESS *unicast)
{
    const struct sockaddr *sa = unicast->Address.lpSockaddr;
    char text[IP_ADDRESS_TEXT_MAX];
    const char *type;
    struct json_value *address;

    if (!sa)
        return 0;
    if (sa->sa_family == AF_INET && unicast->Address.iSockaddrLength >= (INT)sizeof(struct sockaddr_in))
    {
        format_ipv4((const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr, text);
        type = "ipv4";
    }
    else if (sa->sa_family == AF_INET6
             && unicast->Address.iSockaddrLength >= (INT)sizeof(struct sockaddr_in6))
    {
        /* No "%scope" suffix (WSAAddressToString adds one): clients parse plain addresses. */
        format_ipv6((const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr, text);
        type = "ipv6";
    }
    else
        return 0;

    /* Member order of GuestIpAddress: ip-address, ip-address-type, prefix. */
    if (!(address = json_object())
        || json_object_set_string(address, "ip-address", text) < 0
        || json_object_set_string(address, "ip-address-type", type) < 0
        || json_object_set_int(address, "prefix", unicast->OnLinkPrefixLength) < 0)
    {
        json_free(address);
        return QGA_ENOMEM;
    }
    return json_array_append(list, address);
}

static int add_statistics(struct json_value *entry, const IP_ADAPTER_ADDRESSES *adapter)
{
    MIB_IF_ROW2 row;
    struct json_value *stats;

    memset(&row, 0, sizeof(row));
    row.InterfaceLuid = adapter->Luid;
    if (GetIfEntry2(&row) != NO_ERROR)
        return 0;   /* optional member: an adapter without counters has none */

    /* Packets count unicast and non-unicast alike, as Linux's rx/tx_packets do. */
    if (!(stats = json_object())
        || set_u64(stats, "rx-bytes", row.InOctets) < 0
        || set_u64(stats, "rx-packets", row.InUcastPkts + row.InNUcastPkts) < 0
        || set_u64(stats, "rx-errs", row.InErrors) < 0
        || set_u64(stats, "rx-dropped", row.InDiscards) < 0
        || set_u64(stats, "tx-bytes", row.OutOctets) < 0
        || set_u64(stats, "tx-packets", row.OutUcastPkts + row.OutNUcastPkts) < 0
        || set_u64(stats, "tx-errs", row.OutErrors) < 0
        || set_u64(stats, "tx-dropped", row.OutDiscards) < 0)
    {
        json_free(stats);
        return QGA_ENOMEM;
    }
    return json_object_set(entry, "statistics", stats);
}

static int add_interface(struct json_value *list, const IP_ADAPTER_ADDRESSES *adapter)
{
    const IP_ADAPTER_UNICAST_ADDRESS *unicast;
    struct json_value *entry = NULL, *addresses = NULL;
    char mac[3 * MAX_ADAPTER_ADDRESS_LENGTH];
    char *name = NULL;
    int ret;

    if ((ret = utf16_to_utf8(adapter->FriendlyName, &name)) < 0)
        return ret == QGA_ENOMEM ? ret : 0;   /* an unconvertible name: skip the adapter */

    ret = QGA_ENOMEM;
    if (!(entry = json_object()) || json_object_set_string(entry, "name", name) < 0)
        goto out;
    if (format_mac(adapter->PhysicalAddress, adapter->PhysicalAddressLength, mac, sizeof(mac))
        && json_object_set_string(entry, "hardware-address", mac) < 0)
        goto out;
    if (adapter->FirstUnicastAddress)
    {
        if (!(addresses = json_array()))
            goto out;
        for (unicast = adapter->FirstUnicastAddress; unicast; unicast = unicast->Next)
        {
            if (add_address(addresses, unicast) < 0)
                goto out;
        }
        ret = json_object_set(entry, "ip-addresses", addresses);
        addresses = NULL;
        if (ret < 0)
            goto out;
        ret = QGA_ENOMEM;
    }
    if (add_statistics(entry, adapter) < 0)
        goto out;
    ret = json_array_append(list, entry);
    entry = NULL;
out:
    json_free(addresses);
    json_free(entry);
    free(name);
    return ret;
}

int cmd_guest_network_get_interfaces(struct command_call *call)
{
    IP_ADAPTER_ADDRESSES *adapters = NULL, *adapter;
    ULONG size = ADAPTERS_INITIAL_SIZE, status = ERROR_BUFFER_OVERFLOW;
    struct json_value *list = NULL;
    int attempt, ret = 0;

    for (attempt = 0; attempt < ADAPTERS_ATTEMPTS && status == ERROR_BUFFER_OVERFLOW; attempt++)
    {
        free(adapters);
        if (!(adapters = malloc(size)))
            return QGA_ENOMEM;
        status = GetAdaptersAddresses(AF_UNSPEC, ADAPTERS_FLAGS, NULL, adapters, &size);
    }
    if (status != NO_ERROR && status != ERROR_NO_DATA)
    {
        free(adapters);
        return call_win32_error(call, status, "failed to get network adapters");
    }

    if (!(list = json_array()))
        ret = QGA_ENOMEM;
    for (adapter = status == NO_ERROR ? adapters : NULL; adapter && ret == 0; adapter = adapter->Next)
        ret = add_interface(list, adapter);
    free(adapters);
    if (ret < 0)
    {
        json_free(list);
        return ret;
    }
    call->result = list;
    return 0;
}
