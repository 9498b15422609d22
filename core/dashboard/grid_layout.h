#pragma once

#include <cstdint>
#include <vector>

namespace vigil::dashboard {

// Grafana's dashboard grid (react-grid-layout with vertical compaction, as
// Grafana configures it): 24 columns, one row unit is 30 px plus an 8 px gap,
// panels are at least 3 rows tall (rows are 1), and panels "float up": a
// layout never keeps a vertical hole (grafana/grafana#13668). The operations
// reproduce react-grid-layout's utils (compact, moveElement with the
// "swap above" rule for the item the user drags, resize then compact), so a
// layout edited in Vigil lands where Grafana would put it.

inline constexpr int kGridColumns = 24;
inline constexpr int kGridCellHeightPx = 30;
inline constexpr int kGridCellMarginPx = 8;
inline constexpr int kMinPanelHeight = 3;

struct GridItem {
    int id = 0;  // the panel id
    int x = 0;
    int y = 0;
    int w = 1;
    int h = 1;
    bool isStatic = false;  // locked: never moved by compaction or collisions

    friend bool operator==(const GridItem&, const GridItem&) = default;
};

// Pixel height of `h` grid rows: h*30 + (h-1)*8.
constexpr int gridHeightPx(int h) {
    return h * kGridCellHeightPx + (h > 0 ? h - 1 : 0) * kGridCellMarginPx;
}

class GridLayout {
public:
    GridLayout() = default;
    explicit GridLayout(std::vector<GridItem> items) : m_items(std::move(items)) {}

    const std::vector<GridItem>& items() const { return m_items; }
    const GridItem* find(int id) const;
    // The first free row below every item.
    int bottom() const;

    // Clamps items into the 24 columns (react-grid-layout's correctBounds),
    // then compacts vertically. Items keep their order in items().
    void normalize();
    // Floats every non-static item up as far as it goes, in reading order
    // (y, then x), pushing down what it would overlap.
    void compact();
    // The user dragged item `id` to (x, y): items in the way move (up above
    // it when there is room there, else down), then the layout compacts.
    // Returns false when `id` is unknown or static.
    bool move(int id, int x, int y);
    // The user resized item `id`; w is clamped to the columns right of x and
    // h to the minimum panel height; then the layout compacts.
    bool resize(int id, int w, int h);
    // Adds an item at (x, y) (e.g. dropped from the palette), resolving
    // collisions as a move does.
    void insert(GridItem item);
    void remove(int id);

private:
    GridItem* findMutable(int id);
    void moveElement(std::size_t index, int x, int y, bool isUserAction, bool preventCollision);
    void moveAwayFromCollision(std::size_t collidesWith, std::size_t itemToMove, bool isUserAction);

    std::vector<GridItem> m_items;
    std::vector<bool> m_moved;  // react-grid-layout's `moved` flags during one move
};

}  // namespace vigil::dashboard
