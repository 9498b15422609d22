#include "core/dashboard/grid_layout.h"

#include <algorithm>
#include <numeric>

namespace vigil::dashboard {
namespace {

bool collides(const GridItem& a, const GridItem& b) {
    if (&a == &b || a.id == b.id)
        return false;
    if (a.x + a.w <= b.x || a.x >= b.x + b.w)
        return false;
    if (a.y + a.h <= b.y || a.y >= b.y + b.h)
        return false;
    return true;
}

// Indices of `items` in reading order (y, then x); stable.
std::vector<std::size_t> sortedByRowCol(const std::vector<GridItem>& items) {
    std::vector<std::size_t> order(items.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const GridItem& l = items[a];
        const GridItem& r = items[b];
        return l.y < r.y || (l.y == r.y && l.x < r.x);
    });
    return order;
}

int bottomOf(const std::vector<const GridItem*>& items) {
    int bottom = 0;
    for (const GridItem* item : items)
        bottom = std::max(bottom, item->y + item->h);
    return bottom;
}

const GridItem* firstCollision(const std::vector<const GridItem*>& items, const GridItem& item) {
    for (const GridItem* other : items)
        if (collides(*other, item))
            return other;
    return nullptr;
}

}  // namespace

const GridItem* GridLayout::find(int id) const {
    for (const GridItem& item : m_items)
        if (item.id == id)
            return &item;
    return nullptr;
}

GridItem* GridLayout::findMutable(int id) {
    return const_cast<GridItem*>(find(id));
}

int GridLayout::bottom() const {
    int bottom = 0;
    for (const GridItem& item : m_items)
        bottom = std::max(bottom, item.y + item.h);
    return bottom;
}

void GridLayout::normalize() {
    std::vector<const GridItem*> statics;
    for (GridItem& item : m_items) {
        item.w = std::clamp(item.w, 1, kGridColumns);
        item.h = std::max(item.h, 1);
        item.y = std::max(item.y, 0);
        if (item.x + item.w > kGridColumns)
            item.x = kGridColumns - item.w;
        if (item.x < 0) {
            item.x = 0;
            item.w = kGridColumns;
        }
        if (item.isStatic) {
            while (firstCollision(statics, item))
                ++item.y;
            statics.push_back(&item);
        }
    }
    compact();
}

void GridLayout::compact() {
    // react-grid-layout's compact(): statics first, then every other item in
    // reading order moves up until it would collide, then down past whatever
    // it overlaps. An item only collides with those placed before it.
    std::vector<const GridItem*> placed;
    for (const GridItem& item : m_items)
        if (item.isStatic)
            placed.push_back(&item);
    for (std::size_t index : sortedByRowCol(m_items)) {
        GridItem& item = m_items[index];
        if (item.isStatic)
            continue;
        item.y = std::min(bottomOf(placed), item.y);
        while (item.y > 0) {
            --item.y;
            if (firstCollision(placed, item)) {
                ++item.y;
                break;
            }
        }
        while (const GridItem* other = firstCollision(placed, item))
            item.y = other->y + other->h;
        placed.push_back(&item);
    }
}

void GridLayout::moveElement(std::size_t index, int x, int y, bool isUserAction,
                             bool preventCollision) {
    GridItem& item = m_items[index];
    if (item.isStatic || (item.x == x && item.y == y))
        return;
    const int oldX = item.x;
    const int oldY = item.y;
    item.x = x;
    item.y = y;
    m_moved[index] = true;

    // Nearest collisions first: when moving up, walk the layout bottom-up.
    std::vector<std::size_t> order = sortedByRowCol(m_items);
    if (oldY >= y)
        std::reverse(order.begin(), order.end());
    std::vector<std::size_t> collisions;
    for (std::size_t other : order)
        if (collides(m_items[other], m_items[index]))
            collisions.push_back(other);
    if (preventCollision && !collisions.empty()) {
        m_items[index].x = oldX;
        m_items[index].y = oldY;
        m_moved[index] = false;
        return;
    }
    for (std::size_t other : collisions) {
        if (m_moved[other])
            continue;
        if (m_items[other].isStatic)
            moveAwayFromCollision(other, index, isUserAction);
        else
            moveAwayFromCollision(index, other, isUserAction);
    }
}

void GridLayout::moveAwayFromCollision(std::size_t collidesWith, std::size_t itemToMove,
                                       bool isUserAction) {
    const bool preventCollision = m_items[collidesWith].isStatic;
    if (isUserAction) {
        // On the dragged item's own collision only: if the item it lands on
        // fits above it, that item swaps up instead of being pushed down.
        const GridItem& mover = m_items[itemToMove];
        GridItem fake = mover;
        fake.id = -1;
        fake.y = std::max(m_items[collidesWith].y - mover.h, 0);
        bool free = true;
        for (const GridItem& other : m_items)
            if (collides(other, fake)) {
                free = false;
                break;
            }
        if (free) {
            moveElement(itemToMove, mover.x, fake.y, false, preventCollision);
            return;
        }
    }
    moveElement(itemToMove, m_items[itemToMove].x, m_items[itemToMove].y + 1, false,
                preventCollision);
}

bool GridLayout::move(int id, int x, int y) {
    GridItem* item = findMutable(id);
    if (!item || item->isStatic)
        return false;
    x = std::clamp(x, 0, kGridColumns - item->w);
    y = std::max(y, 0);
    m_moved.assign(m_items.size(), false);
    moveElement(static_cast<std::size_t>(item - m_items.data()), x, y, true, false);
    m_moved.clear();
    compact();
    return true;
}

bool GridLayout::resize(int id, int w, int h) {
    GridItem* item = findMutable(id);
    if (!item || item->isStatic)
        return false;
    // As react-grid-layout's onResize: set the size, then compact; items
    // the panel now overlaps are pushed below it by the compaction.
    item->w = std::clamp(w, 1, kGridColumns - item->x);
    item->h = std::max(h, kMinPanelHeight);
    compact();
    return true;
}

void GridLayout::insert(GridItem item) {
    const int x = std::clamp(item.x, 0, kGridColumns - std::clamp(item.w, 1, kGridColumns));
    const int y = std::max(item.y, 0);
    item.w = std::clamp(item.w, 1, kGridColumns);
    // Start below everything, then drag it into place as the user did.
    item.x = x;
    item.y = bottom();
    const bool isStatic = item.isStatic;
    item.isStatic = false;
    m_items.push_back(item);
    m_moved.assign(m_items.size(), false);
    moveElement(m_items.size() - 1, x, y, true, false);
    m_moved.clear();
    m_items.back().isStatic = isStatic;
    compact();
}

void GridLayout::remove(int id) {
    m_items.erase(std::remove_if(m_items.begin(), m_items.end(),
                                 [id](const GridItem& item) { return item.id == id; }),
                  m_items.end());
    compact();
}

}  // namespace vigil::dashboard
